/*
 * util.c: the bottom of the library, calling nothing of quotedb's own:
 * error records, versioned structs, growing buffers, UTF-8 checks, the
 * FNV hash, the row id cache and edit distance.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------- */

int qdb__error_vset(qdb_error *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->text, sizeof err->text, fmt, ap);
	}
	return code;
}

int qdb__error_set(qdb_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qdb__error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

/* What a code means, for a message that lost its text. */
static const char *code_text(int code)
{
	switch (code) {
	case QDB_ENOTFOUND: return "not found";
	case QDB_EINVALID: return "invalid input";
	case QDB_EEXISTS: return "already exists with other content";
	case QDB_EABI: return "plugin ABI mismatch";
	case QDB_ENOMEM: return "out of memory";
	case QDB_EIO: return "input/output error";
	case QDB_EBUSY: return "the database is locked";
	case QDB_EUSER: return "stopped by a callback";
	case 0: return "";   /* not an error */
	default: return "failed (no reason given)";
	}
}

const char *qdb_error_format(const qdb_error *err, char *buf, size_t size)
{
	size_t n = 0;
	if (!buf || size == 0)
		return buf;
	buf[0] = '\0';
#define ADD(...) do { \
		int w = snprintf(buf + n, size - n, __VA_ARGS__); \
		if (w > 0) n += (size_t)w < size - n ? (size_t)w : size - n - 1; \
	} while (0)
	if (err->file[0]) {
		ADD("%s:", err->file);
		if (err->line > 0)
			ADD("%d:", err->line);
		if (err->column > 0)
			ADD("%d:", err->column);
		ADD(" ");
	}
	if (err->field[0])
		ADD("%s: ", err->field);
	/* Never a location without a reason: a failure whose text was
	 * lost still says what kind it was. */
	ADD("%s", err->text[0] ? err->text : code_text(err->code));
#undef ADD
	return buf;
}

int qdb__versioned(void *local, size_t local_size, const void *in,
		   size_t size, size_t min, const char *what, qdb_error *err)
{
	if (size < min)
		return qdb__error_set(err, QDB_EINVALID, "%s of %zu bytes is "
				      "shorter than any release's (%zu); set "
				      "its size with its _INIT macro", what,
				      size, min);
	if (size > local_size)
		return qdb__error_set(err, QDB_EINVALID, "%s of %zu bytes is "
				      "from a newer quotedb.h than this "
				      "library (%zu bytes, version %s); "
				      "upgrade libquotedb", what, size,
				      local_size, QDB_VERSION);
	memset(local, 0, local_size);
	memcpy(local, in, size);
	return 0;
}

void qdb_free(void *p)
{
	free(p);
}

/* ---- buffers ------------------------------------------------------ */

int qdb__buf_add(qdb_buf *b, const void *p, size_t n)
{
	if (b->failed || n > SIZE_MAX / 2 - b->len - 1) {
		b->failed = 1;
		return QDB_ENOMEM;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = 1;
			return QDB_ENOMEM;
		}
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int qdb__buf_addstr(qdb_buf *b, const char *s)
{
	return qdb__buf_add(b, s, strlen(s));
}

void qdb__buf_free(qdb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

/* ---- UTF-8 -------------------------------------------------------- */

size_t qdb__utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t need;
	unsigned min;
	if ((c & 0xe0) == 0xc0) {
		need = 2; min = 0x80; c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		need = 3; min = 0x800; c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		need = 4; min = 0x10000; c &= 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need;
}

int qdb__str_validate(qdb_str s, const char *field, int multiline,
		      qdb_error *err)
{
	if (!s.ptr)
		return 0;
	if (s.len == 0)
		return qdb__error_set(err, QDB_EINVALID, "%s is empty; leave "
				      "the field out when the source does not "
				      "say", field);
	if (s.len > QDB_MAX_FIELD)
		return qdb__error_set(err, QDB_EINVALID, "%s is longer than "
				      "%u bytes", field, QDB_MAX_FIELD);
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, line = 1;
	while (i < s.len) {
		unsigned cp;
		size_t k = qdb__utf8_decode(p + i, s.len - i, &cp);
		if (k == 0)
			return qdb__error_set(err, QDB_EINVALID, "%s has invalid "
					      "UTF-8 at byte %zu", field, i);
		int ctl = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
		/* NEL is a line break as much as LF is: the importer tells
		 * users to write it as \N, so a text may hold it. */
		int brk = cp == '\n' || cp == '\t' || cp == 0x85;
		if (ctl && !(multiline && brk)) {
			if (cp == 0)
				return qdb__error_set(err, QDB_EINVALID, "%s "
						      "holds a NUL byte", field);
			return qdb__error_set(err, QDB_EINVALID, "%s holds the "
					      "control character U+%04X (line "
					      "%zu of the value)", field, cp,
					      line);
		}
		if (cp == '\n')
			line++;
		i += k;
	}
	return 0;
}

/* ---- hashing and the id cache ------------------------------------- */

uint64_t qdb__fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define HASH_PRIME 0x9e3779b97f4a7c15ULL

void qdb__hash_init(qdb__hash *s)
{
	s->h = QDB_FNV_INIT;
	s->n = 0;
	s->ntail = 0;
}

/* One word in: multiplied, then rotated, so that what the product moved
 * to the top bits comes down into the next word's. */
static uint64_t hash_word(uint64_t h, const unsigned char *p)
{
	uint64_t w = 0;
	for (int i = 7; i >= 0; i--)
		w = (w << 8) | p[i];
	h = (h ^ w) * HASH_PRIME;
	return (h << 31) | (h >> 33);
}

void qdb__hash_add(qdb__hash *s, const void *p, size_t n)
{
	const unsigned char *c = p;
	s->n += n;
	if (s->ntail) {
		size_t k = 8 - s->ntail < n ? 8 - s->ntail : n;
		memcpy(s->tail + s->ntail, c, k);
		s->ntail += k;
		c += k;
		n -= k;
		if (s->ntail < 8)
			return;
		s->h = hash_word(s->h, s->tail);
		s->ntail = 0;
	}
	uint64_t h = s->h;
	for (; n >= 8; c += 8, n -= 8)
		h = hash_word(h, c);
	s->h = h;
	memcpy(s->tail, c, n);
	s->ntail = n;
}

uint64_t qdb__hash_end(const qdb__hash *s)
{
	uint64_t h = qdb__fnv1a(s->h, s->tail, s->ntail);
	h ^= s->n;
	/* a final mix (MurmurHash3's), so every input bit reaches all */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

qdb_name_slot *qdb__slot(qdb_name_slot *tab, const char *key, size_t len)
{
	return &tab[qdb__fnv1a(QDB_FNV_INIT, key, len) % QDB_NAME_CACHE];
}

int qdb__slot_get(const qdb_name_slot *s, const char *key, size_t len,
		  sqlite3_int64 *id)
{
	if (!s->name || s->len != len || memcmp(s->name, key, len))
		return 0;
	*id = s->id;
	return 1;
}

void qdb__slot_set(qdb_name_slot *s, const char *key, size_t len,
		   sqlite3_int64 id)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, key, len);
	copy[len] = '\0';
	free(s->name);
	s->name = copy;
	s->len = len;
	s->id = id;
}

void qdb__slots_clear(qdb_name_slot *tab)
{
	for (int i = 0; i < QDB_NAME_CACHE; i++) {
		free(tab[i].name);
		tab[i].name = NULL;
	}
}

/* ---- words -------------------------------------------------------- */

/* Levenshtein distance of a and b, or more than limit when it is: the
 * rows stop as soon as every entry is past limit.  Long words are not
 * compared (they are ids and texts, not typos of a short name). */
static size_t distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), row[65];
	if (la > 64 || lb > 64)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], least;
		least = row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
			if (best < least)
				least = best;
		}
		if (least > limit)
			return limit + 1;
	}
	return row[lb];
}

const char *qdb_suggest(const char *word, const char *const *candidates,
			size_t n, size_t max_distance)
{
	const char *best = NULL;
	size_t bd = max_distance + 1;
	if (!word || !candidates)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i] || !strcmp(word, candidates[i]))
			continue;
		size_t d = distance(word, candidates[i], max_distance);
		if (d < bd) {
			bd = d;
			best = candidates[i];
		}
	}
	return best;
}
