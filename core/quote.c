/*
 * quote.c: one quotation in and out of the store: validation, the content
 * key, add (idempotent), get, delete, and copying records.  Every field is
 * handled by walking the field table (field.c); only the id, the text and
 * context of the full-text index and the date's range are named here.
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

/* Names field in err (which may be NULL) and returns rc. */
static int in_field(qdb_error *err, const char *field, int rc)
{
	if (err)
		snprintf(err->field, sizeof err->field, "%s", field);
	return rc;
}

static int validate_tags(const qdb_quote *q, qdb_error *err)
{
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
	return 0;
}

/*
 * qdb__quote_validate, also giving the range of q's date (0, 0 without
 * one): storing needs it, and the date is parsed once.  A field marked
 * QDB_FIELD_REQUIRED and QDB_FIELD_SOURCE is required of a source: a
 * quote need not have a source, but one it has needs a title.
 */
static int validate(const qdb_quote *q, int32_t *date_lo, int32_t *date_hi,
		    qdb_error *err)
{
	const qdb_field *f, *end = qdb__fields + qdb__nfields;
	int have_source = 0;
	/* What is missing first: it says the most about the record. */
	for (f = qdb__fields; f < end; f++) {
		qdb_str s = qdb_quote_str(q, f);
		if (s.ptr && (f->flags & QDB_FIELD_SOURCE))
			have_source = 1;
		if (!(f->flags & QDB_FIELD_REQUIRED) ||
		    (f->flags & QDB_FIELD_SOURCE))
			continue;
		if (!s.ptr)
			return qdb__error_set(err, QDB_EINVALID, "%s is required",
					      f->key);
	}
	for (f = qdb__fields; f < end; f++) {
		qdb_str s = qdb_quote_str(q, f);
		/* Not the "leave the field out" of an optional field: a
		 * required one cannot be left out. */
		if ((f->flags & QDB_FIELD_REQUIRED) && s.ptr && !s.len)
			return in_field(err, f->key, qdb__error_set(err,
					QDB_EINVALID, "%s is required and may "
					"not be empty", f->key));
	}
	*date_lo = *date_hi = 0;
	for (f = qdb__fields; f < end; f++) {
		qdb_str s = qdb_quote_str(q, f);
		int rc;
		if (f->kind == QDB_FIELD_TAGS) {
			if ((rc = validate_tags(q, err)))
				return rc;
			continue;
		}
		if ((f->flags & QDB_FIELD_SOURCE) &&
		    (f->flags & QDB_FIELD_REQUIRED) && have_source && !s.ptr)
			return in_field(err, "source", qdb__error_set(err,
					QDB_EINVALID, "a source needs a %s",
					qdb__field_yaml_key(f)));
		if ((rc = qdb__str_validate(s, f->key,
					    f->flags & QDB_FIELD_MULTILINE, err)))
			return in_field(err, f->key, rc);
		int32_t lo, hi;
		if (f->kind == QDB_FIELD_DATE && s.ptr &&
		    qdb_date_parse(&lo, &hi, s.ptr, s.len, err))
			return in_field(err, f->key, QDB_EINVALID);
		if (f->offset == offsetof(qdb_quote, date) && s.ptr) {
			*date_lo = lo;
			*date_hi = hi;
		}
	}
	return 0;
}

int qdb__quote_validate(const qdb_quote *q, qdb_error *err)
{
	int32_t lo, hi;
	return validate(q, &lo, &hi, err);
}

/* ---- statements built from the field table ------------------------ */

/*
 * The cached statement for slot; its SQL is built by build only the
 * first time, when it is prepared: these run once per quote.
 */
static int cached_built(sqlite3_stmt **out, qdb *db, int slot,
			void (*build)(qdb_buf *b))
{
	if (db->stmts[slot])
		return qdb__cached(out, db, slot, NULL);
	qdb_buf b = { 0 };
	build(&b);
	if (b.failed) {
		qdb__buf_free(&b);
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	}
	int rc = qdb__cached(out, db, slot, b.data);
	qdb__buf_free(&b);
	return rc;
}

/* A statement with a fragment missing is never prepared: cached_built
 * checks the buffer's failed flag once, after all the appends. */
static void append(qdb_buf *b, const char *s)
{
	(void)qdb__buf_addstr(b, s);
}

/* The columns of quotes a row binds, in the order bind_row binds them:
 * each field's column (source fields share source_id, bound last), then
 * the date's range.  With op ("IS", "="), each is "column op ?n". */
static void quote_columns(qdb_buf *b, const char *sep, const char *op)
{
	int n = 0;
	char piece[64];
	static const char *const rest[] = { "source_id", "date_lo",
					    "date_hi" };
	for (size_t i = 0; i < qdb__nfields + 3; i++) {
		const char *col = i < qdb__nfields
			? qdb__field_quote_column(&qdb__fields[i])
			: rest[i - qdb__nfields];
		if (!col)
			continue;
		if (op)
			snprintf(piece, sizeof piece, "%s%s %s ?%d",
				 n ? sep : "", col, op, n + 1);
		else
			snprintf(piece, sizeof piece, "%s%s", n ? sep : "",
				 col);
		append(b, piece);
		n++;
	}
}

/* The number of values bind_row binds. */
static int quote_ncolumns(void)
{
	int n = 3;
	for (size_t i = 0; i < qdb__nfields; i++)
		n += qdb__field_quote_column(&qdb__fields[i]) != NULL;
	return n;
}

/* The row's file (origin) is bound after the columns, as ?n+1: it is
 * not content, so build_same leaves it out. */
static void build_insert(qdb_buf *b)
{
	char piece[16];
	append(b, "INSERT INTO quotes (");
	quote_columns(b, ", ", NULL);
	append(b, ", file_id) VALUES (");
	for (int i = 1, n = quote_ncolumns(); i <= n + 1; i++) {
		snprintf(piece, sizeof piece, i > 1 ? ",?%d" : "?%d", i);
		append(b, piece);
	}
	append(b, ") ON CONFLICT (id) DO NOTHING");
}

/* A sync's change in place: every column, the file, for row ?n+2. */
static void build_update(qdb_buf *b)
{
	char piece[48];
	int n = quote_ncolumns();
	append(b, "UPDATE quotes SET ");
	quote_columns(b, ", ", "=");
	snprintf(piece, sizeof piece, ", file_id = ?%d WHERE qid = ?%d", n + 1,
		 n + 2);
	append(b, piece);
}

/* 1 when the row with the id holds exactly what bind_row binds.  The id
 * is the first column, so ?1 is the id here as in the INSERT. */
static void build_same(qdb_buf *b)
{
	append(b, "SELECT (");
	quote_columns(b, " AND ", "IS");
	append(b, ") FROM quotes WHERE id = ?1");
}

/* The source fields' columns in sources: "src.title" is title. */
static const char *source_column(const qdb_field *f)
{
	return f->column + 4;
}

static void build_source_find(qdb_buf *b)
{
	char piece[64];
	int n = 0;
	append(b, "SELECT id FROM sources WHERE ");
	for (size_t i = 0; i < qdb__nfields; i++) {
		if (!(qdb__fields[i].flags & QDB_FIELD_SOURCE))
			continue;
		snprintf(piece, sizeof piece, "%s%s IS ?%d", n ? " AND " : "",
			 source_column(&qdb__fields[i]), n + 1);
		append(b, piece);
		n++;
	}
}

static void build_source_insert(qdb_buf *b)
{
	int n = 0;
	append(b, "INSERT INTO sources (");
	for (size_t i = 0; i < qdb__nfields; i++) {
		if (!(qdb__fields[i].flags & QDB_FIELD_SOURCE))
			continue;
		if (n++)
			append(b, ", ");
		append(b, source_column(&qdb__fields[i]));
	}
	append(b, ") VALUES (");
	for (int i = 0; i < n; i++)
		append(b, i ? ",?" : "?");
	append(b, ")");
}

/* ---- the content key ---------------------------------------------- */

/* Adds one occasion field to the key: a NUL, a byte that names the
 * field, its bytes.  Absent adds nothing, so a quote without any of them
 * keeps the key of speaker and text alone that earlier versions gave. */
static uint64_t key_part(uint64_t h, char which, const char *s, size_t n)
{
	if (!s)
		return h;
	char head[2] = { '\0', which };
	h = qdb__fnv1a(h, head, 2);
	return qdb__fnv1a(h, s, n);
}

/*
 * The content key: FNV-1a of the canonical speaker, a NUL and the text,
 * then of the date (as written), the outlet's canonical name, the
 * programme and the occasion, those that are present.  The same words
 * said again on another day or occasion are a different quote with a
 * different key; the same quote imported twice, under any alias of its
 * speaker or outlet, is the same key (quotedb-format(5), id).
 */
static void content_key(char out[20], char legacy[20], const char *speaker,
			size_t slen, const char *outlet, size_t olen,
			const qdb_quote *q)
{
	uint64_t h = QDB_FNV_INIT;
	h = qdb__fnv1a(h, speaker, slen);
	h = qdb__fnv1a(h, "", 1);
	h = qdb__fnv1a(h, q->text.ptr, q->text.len);
	/* The key of 0.2, from speaker and text alone, when it differs:
	 * a quote stored under it is found again (qdb__quote_put). */
	legacy[0] = '\0';
	if (q->date.ptr || outlet || q->programme.ptr || q->occasion.ptr)
		snprintf(legacy, 20, "q%016llx", (unsigned long long)h);
	h = key_part(h, 'd', q->date.ptr, q->date.len);
	h = key_part(h, 'o', outlet, olen);
	h = key_part(h, 'p', q->programme.ptr, q->programme.len);
	h = key_part(h, 'c', q->occasion.ptr, q->occasion.len);
	snprintf(out, 20, "q%016llx", (unsigned long long)h);
}

/* The id a quote without one gets, into key.  Keyed on the canonical
 * names, so "Kirby" and "John Kirby" give one key for the same words. */
static int derive_id(char key[20], char legacy[20], qdb *db,
		     const qdb_quote *q, sqlite3_int64 speaker,
		     sqlite3_int64 outlet)
{
	sqlite3_stmt *st;
	int rc = qdb__cached(&st, db, QDB_ST_SPEAKER_NAME,
			     "SELECT (SELECT name FROM speakers WHERE id = ?1),"
			     " (SELECT name FROM outlets WHERE id = ?2)");
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, speaker);
	sqlite3_bind_int64(st, 2, outlet);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_type(st, 0) == SQLITE_NULL) {
		qdb__done(db, st);
		return qdb__fail_sql(db, "speaker");
	}
	content_key(key, legacy, (const char *)sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), q);
	qdb__done(db, st);
	return 0;
}

/* ---- storing ------------------------------------------------------ */

/* The source fields as one cache key (each: absent, or present with its
 * length and bytes); 0 when they do not fit in cap. */
static size_t source_key(char *key, size_t cap, const qdb_quote *q)
{
	size_t n = 0;
	for (size_t i = 0; i < qdb__nfields; i++) {
		if (!(qdb__fields[i].flags & QDB_FIELD_SOURCE))
			continue;
		qdb_str f = qdb_quote_str(q, &qdb__fields[i]);
		if (n + 1 + sizeof f.len + f.len > cap)
			return 0;
		key[n++] = f.ptr != NULL;
		if (!f.ptr)
			continue;
		memcpy(key + n, &f.len, sizeof f.len);
		n += sizeof f.len;
		memcpy(key + n, f.ptr, f.len);
		n += f.len;
	}
	return n;
}

/* Binds q's source fields as ?1, ?2, ... in table order. */
static void bind_source(sqlite3_stmt *st, const qdb_quote *q)
{
	int n = 0;
	for (size_t i = 0; i < qdb__nfields; i++)
		if (qdb__fields[i].flags & QDB_FIELD_SOURCE)
			qdb__bind_str(st, ++n, qdb_quote_str(q,
							     &qdb__fields[i]));
}

/* The row id of q's source: *out 0 when q has none; with add, the row
 * is added when new, else *out is 0 when there is none. */
static int source_row(sqlite3_int64 *out, qdb *db, const qdb_quote *q,
		      int add)
{
	int any = 0;
	for (size_t i = 0; i < qdb__nfields && !any; i++)
		any = (qdb__fields[i].flags & QDB_FIELD_SOURCE) &&
		      qdb_quote_str(q, &qdb__fields[i]).ptr;
	*out = 0;
	if (!any)
		return 0;
	char key[512];
	size_t klen = source_key(key, sizeof key, q);
	qdb_name_slot *slot = klen ? qdb__slot(db->sources, key, klen) : NULL;
	if (slot && qdb__slot_get(slot, key, klen, out))
		return 0;
	sqlite3_stmt *st;
	int rc = cached_built(&st, db, QDB_ST_SOURCE_FIND, build_source_find);
	if (rc)
		return rc;
	bind_source(st, q);
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
	if (!add)
		return 0;
	if ((rc = cached_built(&st, db, QDB_ST_SOURCE_INSERT,
			       build_source_insert)))
		return rc;
	bind_source(st, q);
	s = sqlite3_step(st);
	qdb__done(db, st);
	if (s != SQLITE_DONE)
		return qdb__fail_sql(db, "source");
	*out = sqlite3_last_insert_rowid(db->sql);
	if (slot)
		qdb__slot_set(slot, key, klen, *out);
	return 0;
}

static int source_ensure(sqlite3_int64 *out, qdb *db, const qdb_quote *q)
{
	return source_row(out, db, q, 1);
}

int qdb__source_id(sqlite3_int64 *out, qdb *db, const qdb_quote *q)
{
	return source_row(out, db, q, 0);
}

/* What a quote refers to by row id, and what its row stores besides its
 * fields. */
typedef struct row_refs {
	sqlite3_int64 speaker, outlet, source;   /* 0: none */
	int32_t date_lo, date_hi;
	qdb_buf tags;    /* joined by U+001F, which a tag can never hold */
} row_refs;

/* Resolves (or adds) the speaker, outlet and source q names. */
static int resolve_refs(row_refs *r, qdb *db, const qdb_quote *q)
{
	int rc;
	for (size_t i = 0; i < qdb__nfields; i++) {
		const qdb_field *f = &qdb__fields[i];
		qdb_str s = qdb_quote_str(q, f);
		if (!s.ptr || (f->kind != QDB_FIELD_SPEAKER &&
			       f->kind != QDB_FIELD_OUTLET))
			continue;
		int speaker = f->kind == QDB_FIELD_SPEAKER;
		if ((rc = qdb__entity_ensure(speaker ? &r->speaker : &r->outlet,
					     db, speaker ? QDB_SPEAKER
					     : QDB_OUTLET, s.ptr, s.len)))
			return rc;
	}
	return source_ensure(&r->source, db, q);
}

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

static void bind_id(sqlite3_stmt *st, sqlite3_int64 id, int col)
{
	if (id)
		sqlite3_bind_int64(st, col, id);
	else
		sqlite3_bind_null(st, col);
}

/* Binds the row of q with the given id, in quote_columns' order. */
static void bind_row(sqlite3_stmt *st, const qdb_quote *q, qdb_str id,
		     const row_refs *r)
{
	int n = 0;
	for (size_t i = 0; i < qdb__nfields; i++) {
		const qdb_field *f = &qdb__fields[i];
		if (!qdb__field_quote_column(f))
			continue;
		n++;
		if (f->offset == offsetof(qdb_quote, id)) {
			qdb__bind_str(st, n, id);
		} else if (f->kind == QDB_FIELD_SPEAKER) {
			bind_id(st, r->speaker, n);
		} else if (f->kind == QDB_FIELD_OUTLET) {
			bind_id(st, r->outlet, n);
		} else if (f->kind == QDB_FIELD_TAGS) {
			/* No tags is NULL: tags are never empty, so data is
			 * set when there are any. */
			qdb_str t = { r->tags.data, r->tags.len };
			qdb__bind_str(st, n, t);
		} else {
			qdb__bind_str(st, n, qdb_quote_str(q, f));
		}
	}
	bind_id(st, r->source, n + 1);
	if (q->date.ptr) {
		sqlite3_bind_int(st, n + 2, r->date_lo);
		sqlite3_bind_int(st, n + 3, r->date_hi);
	} else {
		sqlite3_bind_null(st, n + 2);
		sqlite3_bind_null(st, n + 3);
	}
}

/* The full-text index and the tag table learn about the new row qid
 * (the index later, in bulk, during a large import: db->fts_after). */
static int index_row(qdb *db, const qdb_quote *q, sqlite3_int64 qid)
{
	sqlite3_stmt *st;
	int rc = 0;
	if (db->fts_after < 0 || qid <= db->fts_after) {
		if ((rc = qdb__cached(&st, db, QDB_ST_FTS_INSERT, "INSERT "
				      "INTO quotes_fts (rowid, text, context) "
				      "VALUES (?1, ?2, ?3)")))
			return rc;
		sqlite3_bind_int64(st, 1, qid);
		qdb__bind_str(st, 2, q->text);
		qdb__bind_str(st, 3, q->context);
		rc = sqlite3_step(st) != SQLITE_DONE
			? qdb__fail_sql(db, "index") : 0;
		qdb__done(db, st);
	} else if (db->fts_sink) {
		rc = db->fts_sink(db->fts_payload, qid, q->text, q->context);
	}
	if (rc || !q->ntags)
		return rc;
	if ((rc = qdb__cached(&st, db, QDB_ST_TAG_INSERT, "INSERT OR IGNORE "
			      "INTO quote_tags (tag, qid) VALUES (?1, ?2)")))
		return rc;
	for (size_t i = 0; i < q->ntags && !rc; i++) {
		sqlite3_reset(st);
		qdb__bind_str(st, 1, q->tags[i]);
		sqlite3_bind_int64(st, 2, qid);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = qdb__fail_sql(db, "tags");
	}
	qdb__done(db, st);
	return rc;
}

/*
 * The full-text index and the tag table forget row qid.  The index is
 * external content: it needs the old text and context to forget a row,
 * so it is told while the row still holds them.
 */
static int unindex_row(qdb *db, sqlite3_int64 qid)
{
	/* A row the index has not been told about yet has nothing in it
	 * to forget: only its tags. */
	size_t first = db->fts_after >= 0 && qid > db->fts_after;
	static const struct { int slot; const char *sql; } steps[] = {
		{ QDB_ST_FTS_FORGET, "INSERT INTO quotes_fts (quotes_fts, "
		  "rowid, text, context) SELECT 'delete', qid, text, context "
		  "FROM quotes WHERE qid = ?1" },
		{ QDB_ST_TAGS_FORGET, "DELETE FROM quote_tags WHERE qid = ?1" },
	};
	for (size_t i = first; i < 2; i++) {
		sqlite3_stmt *st;
		int rc = qdb__cached(&st, db, steps[i].slot, steps[i].sql);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, qid);
		rc = sqlite3_step(st) != SQLITE_DONE
			? qdb__fail_sql(db, "index") : 0;
		qdb__done(db, st);
		if (rc)
			return rc;
	}
	return 0;
}

int qdb__quote_remove(qdb *db, sqlite3_int64 qid)
{
	int rc = unindex_row(db, qid);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if ((rc = qdb__cached(&st, db, QDB_ST_QUOTE_REMOVE, "DELETE FROM "
			      "quotes WHERE qid = ?1")))
		return rc;
	sqlite3_bind_int64(st, 1, qid);
	rc = sqlite3_step(st) != SQLITE_DONE ? qdb__fail_sql(db, "delete") : 0;
	qdb__done(db, st);
	return rc;
}

int qdb__gc(qdb *db)
{
	/* NOT EXISTS probes an index per entity, where NOT IN would list
	 * every quote's speaker first. */
	return qdb__exec(db,
		"DELETE FROM speakers WHERE NOT EXISTS (SELECT 1 FROM quotes "
		"  WHERE speaker_id = speakers.id) AND NOT EXISTS (SELECT 1 "
		"  FROM speaker_aliases WHERE speaker_id = speakers.id);"
		"DELETE FROM outlets WHERE NOT EXISTS (SELECT 1 FROM quotes "
		"  WHERE outlet_id = outlets.id) AND NOT EXISTS (SELECT 1 "
		"  FROM outlet_aliases WHERE outlet_id = outlets.id);"
		"DELETE FROM sources WHERE NOT EXISTS (SELECT 1 FROM quotes "
		"  WHERE source_id = sources.id);");
}

/* Whether the row with q's id holds exactly q: *same 1 or 0. */
static int same_row(int *same, qdb *db, const qdb_quote *q, qdb_str id,
		    const row_refs *r)
{
	sqlite3_stmt *st;
	int rc = cached_built(&st, db, QDB_ST_QUOTE_SAME, build_same);
	if (rc)
		return rc;
	bind_row(st, q, id, r);
	/* No row: no quote has the id (a 0.2 key not used), not the same. */
	int s = sqlite3_step(st);
	*same = 0;
	if (s == SQLITE_ROW)
		*same = sqlite3_column_int(st, 0);
	else if (s != SQLITE_DONE)
		rc = qdb__fail_sql(db, "lookup");
	qdb__done(db, st);
	return rc;
}

/* Binds the file and (for an update) the row after bind_row's values. */
static void bind_tail(sqlite3_stmt *st, sqlite3_int64 file,
		      sqlite3_int64 qid)
{
	int n = quote_ncolumns();
	bind_id(st, file, n + 1);
	if (qid)
		sqlite3_bind_int64(st, n + 2, qid);
}

/*
 * Inserts unless the id is taken; only then compares with the row that
 * has it: identical content is a no-op, anything else a clash.  (Most
 * imports add new quotes: one index probe each, not two.)
 */
static int insert_row(int *what, qdb *db, const qdb_quote *q, qdb_str id,
		      const row_refs *r, const qdb__put *how, qdb_error *err)
{
	sqlite3_stmt *st;
	int rc = cached_built(&st, db, QDB_ST_QUOTE_INSERT, build_insert);
	if (rc)
		return rc;
	bind_row(st, q, id, r);
	bind_tail(st, how->file, 0);
	rc = sqlite3_step(st) != SQLITE_DONE ? qdb__fail_sql(db, "insert") : 0;
	qdb__done(db, st);
	if (rc)
		return rc;
	*what = sqlite3_changes64(db->sql) != 0 ? QDB__PUT_ADDED
		: QDB__PUT_SAME;
	if (*what == QDB__PUT_ADDED)
		return index_row(db, q, sqlite3_last_insert_rowid(db->sql));
	int same = 0;
	if ((rc = same_row(&same, db, q, id, r)) || same)
		return rc;
	return in_field(err, "id", qdb__error_set(err, QDB_EEXISTS, "a quote "
			"with id '%.*s' already exists with different "
			"content; give this one another id, or delete the old "
			"one first", (int)id.len, id.ptr));
}

/* The row holding id: *qid (0: none) and its file (0: none). */
static int find_row(sqlite3_int64 *qid, sqlite3_int64 *file, qdb *db,
		    qdb_str id)
{
	sqlite3_stmt *st;
	int rc = qdb__cached(&st, db, QDB_ST_QUOTE_FIND, "SELECT qid, "
			     "file_id FROM quotes WHERE id = ?1");
	if (rc)
		return rc;
	qdb__bind_str(st, 1, id);
	int s = sqlite3_step(st);
	*qid = *file = 0;
	if (s == SQLITE_ROW) {
		*qid = sqlite3_column_int64(st, 0);
		*file = sqlite3_column_int64(st, 1);
	} else if (s != SQLITE_DONE) {
		rc = qdb__fail_sql(db, "lookup");
	}
	qdb__done(db, st);
	return rc;
}

/*
 * A sync's put: the claim hook may refuse the id; a row with the id is
 * then made to hold q, in place: same qid, so the row keeps its place in
 * the added order, the index and the tags forget the old content first.
 */
static int sync_row(int *what, qdb *db, const qdb_quote *q, qdb_str id,
		    const row_refs *r, const qdb__put *how, qdb_error *err)
{
	sqlite3_int64 qid, file;
	int rc = find_row(&qid, &file, db, id);
	if (rc)
		return rc;
	if ((rc = how->claim(how->payload, id, qid != 0, file, err)))
		return rc;
	if (!qid)
		return insert_row(what, db, q, id, r, how, err);
	int same = 0;
	if ((rc = same_row(&same, db, q, id, r)))
		return rc;
	*what = same ? QDB__PUT_SAME : QDB__PUT_CHANGED;
	if (same && file == how->file)
		return 0;
	if (!same && (rc = unindex_row(db, qid)))
		return rc;
	sqlite3_stmt *st;
	if ((rc = cached_built(&st, db, QDB_ST_QUOTE_UPDATE, build_update)))
		return rc;
	bind_row(st, q, id, r);
	bind_tail(st, how->file, qid);
	rc = sqlite3_step(st) != SQLITE_DONE ? qdb__fail_sql(db, "update") : 0;
	qdb__done(db, st);
	if (!rc && !same)
		rc = index_row(db, q, qid);
	return rc;
}

int qdb__quote_put(qdb *db, const qdb_quote *q, const qdb__put *how,
		   int *out_what, char **out_id, qdb_error *err)
{
	static const qdb__put by_hand = { 0 };
	row_refs r;
	memset(&r, 0, sizeof r);
	if (!how)
		how = &by_hand;
	int rc = validate(q, &r.date_lo, &r.date_hi, err);
	if (rc)
		return rc;
	char key[20], legacy[20] = "";
	qdb_str id = q->id;
	int what = QDB__PUT_SAME, same = 0;
	if ((rc = resolve_refs(&r, db, q)) ||
	    (!id.ptr && (rc = derive_id(key, legacy, db, q, r.speaker,
					r.outlet))))
		goto sqlfail;
	if (!id.ptr) {
		id.ptr = key;
		id.len = strlen(key);
	}
	if (join_tags(&r.tags, q)) {
		rc = qdb__error_set(err, QDB_ENOMEM, "out of memory");
		goto out;
	}
	/* A quote a 0.2 library stored under the key of speaker and text
	 * alone is the same quote: importing its file again adds nothing. */
	if (legacy[0]) {
		qdb_str old = { legacy, strlen(legacy) };
		if ((rc = same_row(&same, db, q, old, &r)))
			goto out;
		if (same)
			id = old;
	}
	if (how->claim)
		rc = sync_row(&what, db, q, id, &r, how, err);
	else if (!same)
		rc = insert_row(&what, db, q, id, &r, how, err);
	if (rc)
		goto out;
	if (out_id && !(*out_id = strndup(id.ptr, id.len))) {
		rc = qdb__error_set(err, QDB_ENOMEM, "out of memory");
		goto out;
	}
	if (out_what)
		*out_what = what;
out:
	qdb__buf_free(&r.tags);
	/* A failure from SQLite (out of memory included) left its reason
	 * on db, not in err: copy it, so no location goes out without one. */
	if (rc && err && (err->code != rc || !err->text[0]))
		qdb__error_set(err, rc, "%s", qdb_errmsg(db));
	return rc;
sqlfail:
	if (err)
		qdb__error_set(err, rc, "%s", qdb_errmsg(db));
	return rc;
}

int qdb_quote_add(char **out_id, int *out_added, qdb *db, const qdb_quote *in)
{
	if (!db || !in)
		return QDB_EINVALID;
	qdb_error err;
	memset(&err, 0, sizeof err);
	qdb_quote q;
	int rc = qdb__versioned(&q, sizeof q, in, in->size, QDB_QUOTE_SIZE_0_1,
				"qdb_quote", &err);
	if (rc) {
		qdb__error_to_db(db, &err);
		return rc;
	}
	if ((rc = qdb__begin(db)) != 0)
		return rc;
	rc = qdb__quote_put(db, &q, NULL, out_added, out_id, &err);
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

/*
 * A quote that came from a YAML file is refused: the file is the source
 * of truth, and the next sync would only bring the quote back.  The
 * message names the file to edit.
 */
int qdb_quote_delete(qdb *db, const char *id)
{
	if (!db || !id)
		return QDB_EINVALID;
	int rc = qdb__begin(db);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	if ((rc = qdb__prepare(&st, db, "SELECT q.qid, f.path FROM quotes q "
			       "LEFT JOIN files f ON f.id = q.file_id "
			       "WHERE q.id = ?1")))
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = qdb__fail(db, QDB_ENOTFOUND, "no quote with id '%s'", id);
		goto fail;
	}
	if (s != SQLITE_ROW) {
		rc = qdb__fail_sql(db, "delete");
		goto fail;
	}
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		rc = qdb__fail(db, QDB_EINVALID, "the quote '%s' comes from "
			       "%s: delete it there, then run 'quotedb sync'",
			       id, sqlite3_column_text(st, 1));
		goto fail;
	}
	sqlite3_int64 qid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	/* Speakers, outlets and sources no quote uses any more go too, so
	 * listings do not fill up with names of deleted quotes. */
	if ((rc = qdb__quote_remove(db, qid)) || (rc = qdb__gc(db)))
		goto fail;
	if ((rc = qdb__commit(db)))
		return rc;
	qdb__ok(db);
	return 0;
fail:
	sqlite3_finalize(st);
	qdb__rollback(db);
	return rc;
}

/* ---- copies ------------------------------------------------------- */

/* A quote and every string it points to live in one allocation, so one
 * free releases it and a caller cannot free half of it. */
int qdb_quote_dup(qdb_quote **out, const qdb_quote *in)
{
	qdb_quote q;
	if (!out || !in || qdb__versioned(&q, sizeof q, in, in->size,
					  QDB_QUOTE_SIZE_0_1, "qdb_quote",
					  NULL))
		return QDB_EINVALID;
	*out = NULL;
	size_t total = sizeof(qdb_quote) + q.ntags * sizeof(qdb_str);
	for (size_t i = 0; i < qdb__nfields; i++) {
		qdb_str s = qdb_quote_str(&q, &qdb__fields[i]);
		if (s.ptr)
			total += s.len + 1;
	}
	for (size_t i = 0; i < q.ntags; i++)
		total += q.tags[i].len + 1;
	char *mem = malloc(total);
	if (!mem)
		return QDB_ENOMEM;
	qdb_quote *c = (qdb_quote *)mem;
	*c = q;
	c->size = sizeof *c;
	qdb_str *tags = (qdb_str *)(mem + sizeof(qdb_quote));
	char *p = (char *)(tags + q.ntags);
	for (size_t i = 0; i < qdb__nfields; i++) {
		const qdb_field *f = &qdb__fields[i];
		qdb_str s = qdb_quote_str(&q, f);
		if (!s.ptr)
			continue;
		memcpy(p, s.ptr, s.len);
		p[s.len] = '\0';
		qdb_str *dst = (qdb_str *)(void *)(mem + f->offset);
		dst->ptr = p;
		p += s.len + 1;
	}
	for (size_t i = 0; i < q.ntags; i++) {
		memcpy(p, q.tags[i].ptr, q.tags[i].len);
		p[q.tags[i].len] = '\0';
		tags[i].ptr = p;
		tags[i].len = q.tags[i].len;
		p += q.tags[i].len + 1;
	}
	c->tags = q.ntags ? tags : NULL;
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
