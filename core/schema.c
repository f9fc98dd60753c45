/*
 * schema.c: the database schema, as the migrations that build it.  Data
 * only: db.c runs them.  A quote field's column is added here by a new
 * migration (field.c lists the field).
 */
#include "internal.h"

/* The secondary indexes of quotes (see internal.h): created by migration
 * 0 -> 1, dropped and rebuilt around a large import. */
#define QUOTE_INDEXES \
	"CREATE INDEX quotes_speaker ON quotes(speaker_id, date_lo);" \
	"CREATE INDEX quotes_outlet ON quotes(outlet_id, date_lo);" \
	"CREATE INDEX quotes_date ON quotes(date_lo, date_hi);" \
	"CREATE INDEX quotes_source ON quotes(source_id);"

/* QUOTE_INDEXES is part of a released step and never changes: the
 * indexes later steps add are listed after it, and the tag table's two
 * secondary indexes, as their steps create them (the primary key stays:
 * it keeps a quote's tags unique). */
const char qdb__quote_indexes[] = QUOTE_INDEXES
	"CREATE INDEX quotes_file ON quotes(file_id);"
	"CREATE INDEX quote_tags_qid ON quote_tags(qid);"
	"CREATE INDEX quote_tags_nocase ON quote_tags(tag COLLATE NOCASE);";
const char qdb__quote_indexes_drop[] =
	"DROP INDEX quotes_speaker; DROP INDEX quotes_outlet;"
	"DROP INDEX quotes_date; DROP INDEX quotes_source;"
	"DROP INDEX quotes_file; DROP INDEX quote_tags_qid;"
	"DROP INDEX quote_tags_nocase;";

/* An alias table with a scope (2 -> 3): file_id 0 is a global alias
 * (`speaker alias`, a merge), any other the files row of the YAML file
 * that declared it, which alone resolves through it.  0 rather than
 * NULL: a WITHOUT ROWID key may not be NULL. */
#define SCOPED_ALIASES(kind, table) \
	"CREATE TABLE " kind "_aliases_3 ("				\
	"  alias TEXT NOT NULL COLLATE NOCASE,"				\
	"  file_id INTEGER NOT NULL DEFAULT 0,"				\
	"  " kind "_id INTEGER NOT NULL REFERENCES " table "(id)"	\
	"    ON DELETE CASCADE,"					\
	"  PRIMARY KEY (alias, file_id)) WITHOUT ROWID;"		\
	"INSERT INTO " kind "_aliases_3 (alias, file_id, " kind "_id)"	\
	"  SELECT alias, 0, " kind "_id FROM " kind "_aliases;"		\
	"DROP TABLE " kind "_aliases;"					\
	"ALTER TABLE " kind "_aliases_3 RENAME TO " kind "_aliases;"	\
	"CREATE INDEX " kind "_aliases_" kind " ON "			\
	"  " kind "_aliases(" kind "_id);"

/*
 * Migrations, in order: migrations[i] brings a file from version i to
 * version i + 1.  A new version appends a step; steps never change once
 * released, so every file reaches the same schema whatever its age.
 */
const char *const qdb__migrations[] = {
	/* 0 -> 1: quotes, speakers, outlets, sources, tags. */
	"CREATE TABLE speakers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE);"
	"CREATE TABLE speaker_aliases ("
	"  alias TEXT PRIMARY KEY COLLATE NOCASE,"
	"  speaker_id INTEGER NOT NULL REFERENCES speakers(id)"
	"    ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX speaker_aliases_speaker ON speaker_aliases(speaker_id);"
	"CREATE TABLE outlets ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE);"
	"CREATE TABLE outlet_aliases ("
	"  alias TEXT PRIMARY KEY COLLATE NOCASE,"
	"  outlet_id INTEGER NOT NULL REFERENCES outlets(id)"
	"    ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX outlet_aliases_outlet ON outlet_aliases(outlet_id);"
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL, author TEXT, date TEXT, url TEXT, file TEXT);"
	"CREATE INDEX sources_title ON sources(title);"
	"CREATE TABLE quotes ("
	"  qid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  text TEXT NOT NULL CHECK (length(text) > 0),"
	"  speaker_id INTEGER NOT NULL REFERENCES speakers(id),"
	"  role TEXT, date TEXT, date_lo INTEGER, date_hi INTEGER,"
	"  date_text TEXT,"
	"  outlet_id INTEGER REFERENCES outlets(id),"
	"  programme TEXT, occasion TEXT, reported_by TEXT,"
	"  source_id INTEGER REFERENCES sources(id),"
	"  locator TEXT, language TEXT, translated TEXT, context TEXT,"
	"  tags TEXT);"
	QUOTE_INDEXES
	"CREATE TABLE quote_tags ("
	"  tag TEXT NOT NULL,"
	"  qid INTEGER NOT NULL REFERENCES quotes(qid) ON DELETE CASCADE,"
	"  PRIMARY KEY (tag, qid)) WITHOUT ROWID;"
	"CREATE INDEX quote_tags_qid ON quote_tags(qid);",

	/* 1 -> 2: the full-text index over text and context.  Diacritics
	 * and case are folded in the index only; the stored text is not
	 * touched.  Rebuilt from the rows a version 1 file already has. */
	"CREATE VIRTUAL TABLE quotes_fts USING fts5("
	"  text, context, content='quotes', content_rowid='qid',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');",

	/* 2 -> 3: an open end after the date was 99991231, the same as a
	 * real 9999-12-31; it is now QDB_DATE_OPEN_HI (quotedb.h).  The
	 * date as written tells which rows had one: "A/.." or "A/". */
	"UPDATE quotes SET date_hi = 100000000 WHERE date_hi = 99991231 "
	"AND (date GLOB '*/..' OR date GLOB '*/');",

	/* 3 -> 4: the index stems English words (porter over unicode61),
	 * so condolence finds condolences; rebuilt from the rows.  And tags
	 * are filtered without case, as names are, through an index of
	 * their own. */
	"DROP TABLE quotes_fts;"
	"CREATE VIRTUAL TABLE quotes_fts USING fts5("
	"  text, context, content='quotes', content_rowid='qid',"
	"  tokenize='porter unicode61 remove_diacritics 2');"
	"INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild');"
	"CREATE INDEX quote_tags_nocase ON quote_tags(tag COLLATE NOCASE);",

	/* 4 -> 5: the YAML files quotes come from, for sync.c.  A quote's
	 * file_id is its origin (NULL: added by hand, no file's); a file's
	 * hash says what its bytes were at the last sync (NULL after a
	 * plain import, so the next sync reads it; sync.c's file_sig).  sync_paths are the
	 * paths the last sync was given.  Aliases gain a scope.  A file
	 * from version 4 has no origins: a sync adopts its quotes. */
	"CREATE TABLE files ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE,"
	"  hash TEXT);"
	"ALTER TABLE quotes ADD COLUMN file_id INTEGER REFERENCES files(id);"
	"CREATE INDEX quotes_file ON quotes(file_id);"
	"CREATE TABLE sync_paths ("
	"  pos INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL);"
	SCOPED_ALIASES("speaker", "speakers")
	SCOPED_ALIASES("outlet", "outlets"),

	/* 5 -> 6: a speaker's sort key (a speakers: entry's sort_as,
	 * "Khamenei, Ali"; NULL sorts by the name as it is), with an index
	 * in that order for the speaker sort to walk; and a quote's
	 * original wording, when its text is a translation. */
	"ALTER TABLE speakers ADD COLUMN sort_as TEXT;"
	"CREATE UNIQUE INDEX speakers_sort ON speakers("
	"  coalesce(sort_as, name) COLLATE NOCASE, name);"
	"ALTER TABLE quotes ADD COLUMN original TEXT;",
};
_Static_assert(QDB_DATE_OPEN_HI == 100000000, "migration 2 -> 3 writes it");

const int qdb__schema_version =
	(int)(sizeof qdb__migrations / sizeof qdb__migrations[0]);

