/*
 * quote.c: one quotation in and out of the store: validation, the content
 * key, add (idempotent), get, delete, and copying and freeing records.
 *
 * Text goes in with sqlite3_bind_text64 and its explicit length and comes
 * back with sqlite3_column_bytes, never strlen: the bytes that go in are
 * the bytes that come out.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation --------------------------------------------------- */

/* Length of the UTF-8 sequence at p (at most n bytes), 0 if invalid.
 * Rejects overlong forms, surrogates and code points past U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t n, unsigned *cp)
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
		size_t k = utf8_len(p + i, s.len - i, &cp);
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

/* qdb__quote_validate, also giving the range of q's date (0, 0 without
 * one): storing needs it, and the date is parsed once. */
static int validate(const qdb_quote *q, int32_t *date_lo, int32_t *date_hi,
		    qdb_error *err)
{
	if (!q || q->size < sizeof(qdb_quote))
		return qdb__error_set(err, QDB_EINVALID, "quote record too "
				      "short (size %zu, need %zu)",
				      q ? q->size : 0, sizeof(qdb_quote));
	if (!q->text.ptr)
		return qdb__error_set(err, QDB_EINVALID, "text is required");
	if (!q->speaker.ptr)
		return qdb__error_set(err, QDB_EINVALID, "speaker is required");
	/* Not the "leave the field out" of an optional field: these two
	 * cannot be left out. */
	if (!q->text.len || !q->speaker.len) {
		const char *name = !q->text.len ? "text" : "speaker";
		if (err)
			snprintf(err->field, sizeof err->field, "%s", name);
		return qdb__error_set(err, QDB_EINVALID, "%s is required and "
				      "may not be empty", name);
	}
	struct { qdb_str s; const char *name; int multi; } f[] = {
		{ q->id, "id", 0 }, { q->text, "text", 1 },
		{ q->speaker, "speaker", 0 }, { q->role, "role", 0 },
		{ q->date, "date", 0 }, { q->date_text, "date_text", 0 },
		{ q->outlet, "outlet", 0 }, { q->programme, "programme", 0 },
		{ q->occasion, "occasion", 0 },
		{ q->reported_by, "reported_by", 0 },
		{ q->source, "source.title", 0 },
		{ q->source_author, "source.author", 0 },
		{ q->source_date, "source.date", 0 },
		{ q->source_url, "source.url", 0 },
		{ q->source_file, "source.file", 0 },
		{ q->locator, "locator", 0 }, { q->language, "language", 0 },
		{ q->translated, "translated", 0 },
		{ q->context, "context", 1 },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		int rc = qdb__str_validate(f[i].s, f[i].name, f[i].multi, err);
		if (rc) {
			if (err)
				snprintf(err->field, sizeof err->field, "%s",
					 f[i].name);
			return rc;
		}
	}
	if (q->ntags > QDB_MAX_TAGS)
		return qdb__error_set(err, QDB_EINVALID, "more than %d tags",
				      QDB_MAX_TAGS);
	for (size_t i = 0; i < q->ntags; i++) {
		int rc = qdb__str_validate(q->tags[i], "tag", 0, err);
		if (!rc && !q->tags[i].ptr)
			rc = qdb__error_set(err, QDB_EINVALID, "tag is empty");
		if (rc) {
			if (err)
				snprintf(err->field, sizeof err->field,
					 "tags[%zu]", i);
			return rc;
		}
	}
	if (!q->source.ptr && (q->source_author.ptr || q->source_date.ptr ||
			       q->source_url.ptr || q->source_file.ptr)) {
		if (err)
			snprintf(err->field, sizeof err->field, "source");
		return qdb__error_set(err, QDB_EINVALID, "a source needs a "
				      "title");
	}
	int32_t lo[2] = { 0, 0 }, hi[2] = { 0, 0 };
	qdb_str dates[2] = { q->date, q->source_date };
	const char *names[2] = { "date", "source.date" };
	for (int i = 0; i < 2; i++) {
		if (dates[i].ptr && qdb_date_parse(&lo[i], &hi[i], dates[i].ptr,
						   dates[i].len, err)) {
			if (err)
				snprintf(err->field, sizeof err->field, "%s",
					 names[i]);
			return QDB_EINVALID;
		}
	}
	*date_lo = lo[0];
	*date_hi = hi[0];
	return 0;
}

int qdb__quote_validate(const qdb_quote *q, qdb_error *err)
{
	int32_t lo, hi;
	return validate(q, &lo, &hi, err);
}

/* ---- the content key ---------------------------------------------- */

/* FNV-1a, 64 bits: stable across platforms and versions, which is all a
 * content key needs (it is not a security boundary: a clash is refused
 * as a duplicate id with different content). */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void content_key(char out[20], const char *speaker, size_t slen,
			qdb_str text)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, speaker, slen);
	h = fnv1a(h, "", 1);
	h = fnv1a(h, text.ptr, text.len);
	snprintf(out, 20, "q%016llx", (unsigned long long)h);
}

/* ---- storing ------------------------------------------------------ */

/* The five fields of a source as one cache key (each: absent, or present
 * with its length and bytes); 0 when it does not fit in cap. */
static size_t source_key(char *key, size_t cap, const qdb_str f[5])
{
	size_t n = 0;
	for (int i = 0; i < 5; i++) {
		if (n + 1 + sizeof f[i].len + f[i].len > cap)
			return 0;
		key[n++] = f[i].ptr != NULL;
		if (!f[i].ptr)
			continue;
		memcpy(key + n, &f[i].len, sizeof f[i].len);
		n += sizeof f[i].len;
		memcpy(key + n, f[i].ptr, f[i].len);
		n += f[i].len;
	}
	return n;
}

static int source_ensure(sqlite3_int64 *out, qdb *db, const qdb_quote *q)
{
	qdb_str f[5] = { q->source, q->source_author, q->source_date,
			 q->source_url, q->source_file };
	char key[512];
	size_t klen = source_key(key, sizeof key, f);
	qdb_name_slot *slot = klen ? qdb__slot(db->sources, key, klen) : NULL;
	if (slot && qdb__slot_get(slot, key, klen, out))
		return 0;
	sqlite3_stmt *st;
	int rc = qdb__cached(&st, db, QDB_ST_SOURCE_FIND,
		"SELECT id FROM sources WHERE title = ?1 AND author IS ?2 "
		"AND date IS ?3 AND url IS ?4 AND file IS ?5");
	if (rc)
		return rc;
	for (int i = 0; i < 5; i++)
		qdb__bind_str(st, i + 1, f[i]);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		qdb__done(db, st);
		if (slot)
			qdb__slot_set(slot, key, klen, *out);
		return 0;
	}
	qdb__done(db, st);
	if (s != SQLITE_DONE)
		return qdb__fail_sql(db, "source");
	if ((rc = qdb__cached(&st, db, QDB_ST_SOURCE_INSERT, "INSERT INTO "
			      "sources (title, author, date, url, file) "
			      "VALUES (?1,?2,?3,?4,?5)")))
		return rc;
	for (int i = 0; i < 5; i++)
		qdb__bind_str(st, i + 1, f[i]);
	s = sqlite3_step(st);
	qdb__done(db, st);
	if (s != SQLITE_DONE)
		return qdb__fail_sql(db, "source");
	*out = sqlite3_last_insert_rowid(db->sql);
	if (slot)
		qdb__slot_set(slot, key, klen, *out);
	return 0;
}

/* Tags are kept joined by U+001F, which a tag can never hold. */
static int join_tags(qdb_buf *b, const qdb_quote *q)
{
	for (size_t i = 0; i < q->ntags; i++) {
		if (i && qdb__buf_add(b, "\x1f", 1))
			return QDB_ENOMEM;
		if (qdb__buf_add(b, q->tags[i].ptr, q->tags[i].len))
			return QDB_ENOMEM;
	}
	return 0;
}

/* The columns after id, in the order both statements below bind them. */
#define QUOTE_COLS "text, speaker_id, role, date, date_lo, date_hi, " \
	"date_text, outlet_id, programme, occasion, reported_by, source_id, " \
	"locator, language, translated, context, tags"

static void bind_row(sqlite3_stmt *st, const qdb_quote *q, qdb_str id,
		     sqlite3_int64 speaker, sqlite3_int64 outlet,
		     sqlite3_int64 source, int32_t lo, int32_t hi,
		     const qdb_buf *tags)
{
	qdb__bind_str(st, 1, id);
	qdb__bind_str(st, 2, q->text);
	sqlite3_bind_int64(st, 3, speaker);
	qdb__bind_str(st, 4, q->role);
	qdb__bind_str(st, 5, q->date);
	if (q->date.ptr) {
		sqlite3_bind_int(st, 6, lo);
		sqlite3_bind_int(st, 7, hi);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
	}
	qdb__bind_str(st, 8, q->date_text);
	if (outlet)
		sqlite3_bind_int64(st, 9, outlet);
	else
		sqlite3_bind_null(st, 9);
	qdb__bind_str(st, 10, q->programme);
	qdb__bind_str(st, 11, q->occasion);
	qdb__bind_str(st, 12, q->reported_by);
	if (source)
		sqlite3_bind_int64(st, 13, source);
	else
		sqlite3_bind_null(st, 13);
	qdb__bind_str(st, 14, q->locator);
	qdb__bind_str(st, 15, q->language);
	qdb__bind_str(st, 16, q->translated);
	qdb__bind_str(st, 17, q->context);
	/* No tags is NULL: tags are never empty, so data is set when any. */
	qdb_str t = { tags->data, tags->len };
	qdb__bind_str(st, 18, t);
}

int qdb__quote_put(qdb *db, const qdb_quote *q, int *out_added, char **out_id,
		   qdb_error *err)
{
	int32_t lo, hi;
	int rc = validate(q, &lo, &hi, err);
	if (rc)
		return rc;

	sqlite3_int64 speaker = 0, outlet = 0, source = 0;
	if ((rc = qdb__entity_ensure(&speaker, db, QDB_SPEAKER, q->speaker.ptr,
				     q->speaker.len)))
		goto sqlfail;
	if (q->outlet.ptr && (rc = qdb__entity_ensure(&outlet, db, QDB_OUTLET,
						q->outlet.ptr, q->outlet.len)))
		goto sqlfail;
	if (q->source.ptr && (rc = source_ensure(&source, db, q)))
		goto sqlfail;

	char key[20];
	qdb_str id = q->id;
	if (!id.ptr) {
		/* Keyed on the canonical speaker, so "Kirby" and "John
		 * Kirby" give one key for the same words. */
		sqlite3_stmt *st;
		if ((rc = qdb__cached(&st, db, QDB_ST_SPEAKER_NAME,
				"SELECT name FROM speakers WHERE id = ?")))
			goto sqlfail;
		sqlite3_bind_int64(st, 1, speaker);
		if (sqlite3_step(st) != SQLITE_ROW) {
			qdb__done(db, st);
			rc = qdb__fail_sql(db, "speaker");
			goto sqlfail;
		}
		content_key(key, (const char *)sqlite3_column_text(st, 0),
			    (size_t)sqlite3_column_bytes(st, 0), q->text);
		qdb__done(db, st);
		id.ptr = key;
		id.len = strlen(key);
	}

	qdb_buf tags = { 0 };
	if (join_tags(&tags, q)) {
		qdb__buf_free(&tags);
		return qdb__error_set(err, QDB_ENOMEM, "out of memory");
	}

	/* Insert unless the id is taken; only then compare with the row
	 * that has it: identical content is a no-op, anything else a clash.
	 * (Most imports add new quotes: one index probe each, not two.) */
	sqlite3_stmt *st = NULL;
	int added = 0;
	rc = qdb__cached(&st, db, QDB_ST_QUOTE_INSERT, "INSERT INTO quotes "
		"(id, " QUOTE_COLS
		") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
		"?14,?15,?16,?17,?18) ON CONFLICT (id) DO NOTHING");
	if (rc)
		goto out;
	bind_row(st, q, id, speaker, outlet, source, lo, hi, &tags);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = qdb__fail_sql(db, "insert");
		goto out;
	}
	qdb__done(db, st);
	st = NULL;
	if (sqlite3_changes64(db->sql) == 0) {
		rc = qdb__cached(&st, db, QDB_ST_QUOTE_SAME, "SELECT (text = ?2"
			" AND speaker_id = ?3 AND role IS ?4 AND date IS ?5"
			" AND date_lo IS ?6 AND date_hi IS ?7 AND date_text IS ?8"
			" AND outlet_id IS ?9 AND programme IS ?10"
			" AND occasion IS ?11 AND reported_by IS ?12"
			" AND source_id IS ?13 AND locator IS ?14"
			" AND language IS ?15 AND translated IS ?16"
			" AND context IS ?17 AND tags IS ?18)"
			" FROM quotes WHERE id = ?1");
		if (rc)
			goto out;
		bind_row(st, q, id, speaker, outlet, source, lo, hi, &tags);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = qdb__fail_sql(db, "lookup");
			goto out;
		}
		int same = sqlite3_column_int(st, 0);
		qdb__done(db, st);
		st = NULL;
		if (!same) {
			rc = qdb__error_set(err, QDB_EEXISTS, "a quote with id "
				"'%.*s' already exists with different content; "
				"give this one another id, or delete the old one "
				"first", (int)id.len, id.ptr);
			if (err)
				snprintf(err->field, sizeof err->field, "id");
			goto out;
		}
	} else {
		sqlite3_int64 qid = sqlite3_last_insert_rowid(db->sql);
		if ((rc = qdb__cached(&st, db, QDB_ST_FTS_INSERT, "INSERT INTO "
				      "quotes_fts (rowid, text, context) "
				      "VALUES (?1, ?2, ?3)")))
			goto out;
		sqlite3_bind_int64(st, 1, qid);
		qdb__bind_str(st, 2, q->text);
		qdb__bind_str(st, 3, q->context);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = qdb__fail_sql(db, "index");
			goto out;
		}
		qdb__done(db, st);
		st = NULL;
		if (q->ntags && (rc = qdb__cached(&st, db, QDB_ST_TAG_INSERT,
				"INSERT OR IGNORE INTO quote_tags (tag, qid) "
				"VALUES (?1, ?2)")))
			goto out;
		for (size_t i = 0; i < q->ntags; i++) {
			sqlite3_reset(st);
			qdb__bind_str(st, 1, q->tags[i]);
			sqlite3_bind_int64(st, 2, qid);
			if (sqlite3_step(st) != SQLITE_DONE) {
				rc = qdb__fail_sql(db, "tags");
				goto out;
			}
		}
		added = 1;
	}
	if (out_id) {
		*out_id = strndup(id.ptr, id.len);
		if (!*out_id)
			rc = qdb__error_set(err, QDB_ENOMEM, "out of memory");
	}
	if (out_added)
		*out_added = added;
out:
	qdb__done(db, st);
	qdb__buf_free(&tags);
	if (rc && rc != QDB_EEXISTS && rc != QDB_ENOMEM && err &&
	    err->code != rc)
		qdb__error_set(err, rc, "%s", qdb_errmsg(db));
	return rc;
sqlfail:
	if (err)
		qdb__error_set(err, rc, "%s", qdb_errmsg(db));
	return rc;
}

int qdb_quote_add(char **out_id, int *out_added, qdb *db, const qdb_quote *q)
{
	if (!db)
		return QDB_EINVALID;
	qdb_error err;
	memset(&err, 0, sizeof err);
	int rc = qdb__begin(db);
	if (rc)
		return rc;
	rc = qdb__quote_put(db, q, out_added, out_id, &err);
	if (rc) {
		qdb__rollback(db);
		qdb__error_to_db(db, &err);
		return rc;
	}
	if ((rc = qdb__commit(db)) != 0) {
		if (out_id) {
			free(*out_id);
			*out_id = NULL;
		}
		return rc;
	}
	qdb__ok(db);
	return 0;
}

int qdb_quote_delete(qdb *db, const char *id)
{
	if (!db || !id)
		return QDB_EINVALID;
	int rc = qdb__begin(db);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	/* The index is external content: it needs the old text and context
	 * to forget a row, so it is told before the row goes. */
	rc = qdb__prepare(&st, db, "INSERT INTO quotes_fts (quotes_fts, rowid, "
			  "text, context) SELECT 'delete', qid, text, context "
			  "FROM quotes WHERE id = ?1");
	if (rc)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = qdb__fail_sql(db, "delete");
		goto fail;
	}
	sqlite3_finalize(st);
	if ((rc = qdb__prepare(&st, db, "DELETE FROM quotes WHERE id = ?1")))
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = qdb__fail_sql(db, "delete");
		goto fail;
	}
	if (sqlite3_changes(db->sql) == 0) {
		rc = qdb__fail(db, QDB_ENOTFOUND, "no quote with id '%s'", id);
		goto fail;
	}
	sqlite3_finalize(st);
	/* Speakers, outlets and sources no quote uses any more go too, so
	 * listings do not fill up with names of deleted quotes. */
	rc = qdb__exec(db,
		"DELETE FROM speakers WHERE id NOT IN "
		"  (SELECT speaker_id FROM quotes) AND id NOT IN "
		"  (SELECT speaker_id FROM speaker_aliases);"
		"DELETE FROM outlets WHERE id NOT IN (SELECT outlet_id FROM "
		"  quotes WHERE outlet_id IS NOT NULL) AND id NOT IN "
		"  (SELECT outlet_id FROM outlet_aliases);"
		"DELETE FROM sources WHERE id NOT IN (SELECT source_id FROM "
		"  quotes WHERE source_id IS NOT NULL);");
	if (rc)
		goto fail2;
	if ((rc = qdb__commit(db)))
		return rc;
	qdb__ok(db);
	return 0;
fail:
	sqlite3_finalize(st);
fail2:
	qdb__rollback(db);
	return rc;
}

/* ---- copies ------------------------------------------------------- */

/* A quote and every string it points to live in one allocation, so one
 * free releases it and a caller cannot free half of it. */
int qdb_quote_dup(qdb_quote **out, const qdb_quote *q)
{
	if (!out || !q || q->size < sizeof(qdb_quote))
		return QDB_EINVALID;
	*out = NULL;
	const qdb_str *src[] = { &q->id, &q->text, &q->speaker, &q->role,
		&q->date, &q->date_text, &q->outlet, &q->programme,
		&q->occasion, &q->reported_by, &q->source, &q->source_author,
		&q->source_date, &q->source_url, &q->source_file, &q->locator,
		&q->language, &q->translated, &q->context };
	size_t n = sizeof src / sizeof src[0];
	size_t total = sizeof(qdb_quote) + q->ntags * sizeof(qdb_str);
	for (size_t i = 0; i < n; i++)
		if (src[i]->ptr)
			total += src[i]->len + 1;
	for (size_t i = 0; i < q->ntags; i++)
		total += q->tags[i].len + 1;
	char *mem = malloc(total);
	if (!mem)
		return QDB_ENOMEM;
	qdb_quote *c = (qdb_quote *)mem;
	memset(c, 0, sizeof *c);
	c->size = sizeof *c;
	qdb_str *tags = (qdb_str *)(mem + sizeof(qdb_quote));
	char *p = (char *)(tags + q->ntags);
	qdb_str *dst[] = { &c->id, &c->text, &c->speaker, &c->role,
		&c->date, &c->date_text, &c->outlet, &c->programme,
		&c->occasion, &c->reported_by, &c->source, &c->source_author,
		&c->source_date, &c->source_url, &c->source_file, &c->locator,
		&c->language, &c->translated, &c->context };
	for (size_t i = 0; i < n; i++) {
		if (!src[i]->ptr)
			continue;
		memcpy(p, src[i]->ptr, src[i]->len);
		p[src[i]->len] = '\0';
		dst[i]->ptr = p;
		dst[i]->len = src[i]->len;
		p += src[i]->len + 1;
	}
	for (size_t i = 0; i < q->ntags; i++) {
		memcpy(p, q->tags[i].ptr, q->tags[i].len);
		p[q->tags[i].len] = '\0';
		tags[i].ptr = p;
		tags[i].len = q->tags[i].len;
		p += q->tags[i].len + 1;
	}
	c->tags = q->ntags ? tags : NULL;
	c->ntags = q->ntags;
	c->date_lo = q->date_lo;
	c->date_hi = q->date_hi;
	*out = c;
	return 0;
}

void qdb_quote_free(qdb_quote *q)
{
	free(q);
}

int qdb_quote_get(qdb_quote **out, qdb *db, const char *id)
{
	if (!out || !db || !id)
		return QDB_EINVALID;
	*out = NULL;
	const char *ids[1] = { id };
	qdb_filter f = QDB_FILTER_INIT;
	f.ids.v = ids;
	f.ids.n = 1;
	qdb_cursor *c;
	int rc = qdb_cursor_open(&c, db, &f);
	if (rc)
		return rc;
	const qdb_quote *q;
	rc = qdb_cursor_next(&q, c);
	if (rc == 0)
		rc = qdb_quote_dup(out, q);
	else if (rc == QDB_ITEROVER)
		rc = qdb__fail(db, QDB_ENOTFOUND, "no quote with id '%s'", id);
	qdb_cursor_free(c);
	return rc;
}
