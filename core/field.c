/*
 * field.c: the field table, the one place a quote's fields are listed.
 *
 * Validation, the INSERT and the comparison of a stored quote, the
 * cursor's SELECT, copying a quote, the importer's keys, and the command
 * line's add, show and --json all walk this table; so do the plugins
 * that write every field, through their host.  Adding a field is a line
 * here, a member appended to qdb_quote, a migration in schema.c that adds
 * its column, and tests.
 */
#include "internal.h"

#include <string.h>

#define F(member, name, key, column, kind, flags, help) \
	{ name, key, column, kind, flags, offsetof(qdb_quote, member), help }

const qdb_field qdb__fields[] = {
	F(id, "id", "id", "q.id", QDB_FIELD_TEXT, 0,
	  "the id (default: a content key)"),
	F(text, "text", "text", "q.text", QDB_FIELD_TEXT,
	  QDB_FIELD_REQUIRED | QDB_FIELD_MULTILINE,
	  "the words, exactly as said"),
	F(speaker, "speaker", "speaker", "s.name", QDB_FIELD_SPEAKER,
	  QDB_FIELD_REQUIRED,
	  "who said them: a name or an alias"),
	F(role, "role", "role", "q.role", QDB_FIELD_TEXT, 0,
	  "the speaker's role or title when speaking"),
	F(date, "date", "date", "q.date", QDB_FIELD_DATE, QDB_FIELD_DEFAULT,
	  "when they were said (EDTF: 2023-10-09, 2023-10~)"),
	F(date_text, "date_text", "date_text", "q.date_text", QDB_FIELD_TEXT,
	  QDB_FIELD_DEFAULT,
	  "the date as the source phrased it"),
	F(outlet, "outlet", "outlet", "o.name", QDB_FIELD_OUTLET,
	  QDB_FIELD_DEFAULT,
	  "where they were said or published"),
	F(programme, "programme", "programme", "q.programme", QDB_FIELD_TEXT,
	  QDB_FIELD_DEFAULT,
	  "the programme, of a broadcast"),
	F(occasion, "occasion", "occasion", "q.occasion", QDB_FIELD_TEXT,
	  QDB_FIELD_DEFAULT,
	  "the occasion: interview, speech, briefing"),
	F(reported_by, "reported_by", "reported_by", "q.reported_by",
	  QDB_FIELD_TEXT, QDB_FIELD_DEFAULT,
	  "who reported them, for a second-hand quote"),
	F(source, "source", "source.title", "src.title", QDB_FIELD_TEXT,
	  QDB_FIELD_SOURCE | QDB_FIELD_REQUIRED,
	  "the source document's title"),
	F(source_author, "source_author", "source.author", "src.author",
	  QDB_FIELD_TEXT, QDB_FIELD_SOURCE,
	  "the source's author"),
	F(source_date, "source_date", "source.date", "src.date", QDB_FIELD_DATE,
	  QDB_FIELD_SOURCE,
	  "the source's date (EDTF)"),
	F(source_url, "source_url", "source.url", "src.url", QDB_FIELD_TEXT,
	  QDB_FIELD_SOURCE,
	  "the source's URL"),
	F(source_file, "source_file", "source.file", "src.file", QDB_FIELD_TEXT,
	  QDB_FIELD_SOURCE,
	  "the source's text, for verify"),
	F(locator, "locator", "locator", "q.locator", QDB_FIELD_TEXT, 0,
	  "where in the source: para. 11, p. 4"),
	F(language, "language", "language", "q.language", QDB_FIELD_TEXT,
	  QDB_FIELD_DEFAULT,
	  "the language of the text (BCP 47: en, fa)"),
	F(translated, "translated", "translated", "q.translated",
	  QDB_FIELD_TEXT, QDB_FIELD_DEFAULT,
	  "the original's language, when text is a translation"),
	F(original, "original", "original", "q.original", QDB_FIELD_TEXT,
	  QDB_FIELD_MULTILINE,
	  "the original wording, when text is a translation"),
	F(context, "context", "context", "q.context", QDB_FIELD_TEXT,
	  QDB_FIELD_MULTILINE,
	  "what the quote is about, for the reader"),
	F(tags, "tags", "tags", "q.tags", QDB_FIELD_TAGS, 0,
	  "a tag; repeatable"),
};

const size_t qdb__nfields = sizeof qdb__fields / sizeof qdb__fields[0];

const qdb_field *qdb_fields(size_t *out_n)
{
	if (out_n)
		*out_n = qdb__nfields;
	return qdb__fields;
}

const char *qdb__field_yaml_key(const qdb_field *f)
{
	const char *dot = strrchr(f->key, '.');
	return dot ? dot + 1 : f->key;
}

const qdb_field *qdb_field_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < qdb__nfields; i++) {
		const qdb_field *f = &qdb__fields[i];
		if (!strcmp(name, f->name) || !strcmp(name, f->key))
			return f;
	}
	return NULL;
}

const char *qdb__field_quote_column(const qdb_field *f)
{
	if (f->flags & QDB_FIELD_SOURCE)
		return NULL;
	switch (f->kind) {
	case QDB_FIELD_SPEAKER: return "speaker_id";
	case QDB_FIELD_OUTLET: return "outlet_id";
	default: return f->column + 2;   /* "q.role" -> "role" */
	}
}
