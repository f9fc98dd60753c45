/*
 * entity.c: speakers and outlets, each one canonical name with its
 * variant spellings ("Hizballah" and "Hezbollah", "Meshal" and "Mashal").
 * Both kinds have the same shape, so one set of statements serves both,
 * chosen from a table of constant SQL (values are always bound).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct kind_sql {
	const char *label;      /* for messages */
	/* name or alias -> id: an alias of the file being read (?2, see
	 * db->scope), then a name, then a global alias; outside a file
	 * (add, alias, merge) then any file's alias */
	const char *find;
	const char *insert;     /* new entity */
	const char *alias_of;   /* alias in scope ?2 -> id */
	const char *add_alias;
	const char *name_of;
	const char *list;
	const char *merge[4];
};

static const struct kind_sql kinds[2] = {
	{ "speaker",
	  "SELECT speaker_id FROM speaker_aliases WHERE alias = ?1 AND "
	  "file_id = ?2 AND ?2 <> 0 UNION ALL "
	  "SELECT id FROM speakers WHERE name = ?1 UNION ALL "
	  "SELECT speaker_id FROM speaker_aliases WHERE alias = ?1 AND file_id = 0 "
	  "UNION ALL SELECT speaker_id FROM speaker_aliases WHERE alias = ?1 AND "
	  "?2 = 0 LIMIT 1",
	  "INSERT INTO speakers (name) VALUES (?1)",
	  "SELECT speaker_id FROM speaker_aliases WHERE alias = ?1 AND "
	  "file_id = ?2",
	  "INSERT OR IGNORE INTO speaker_aliases (alias, file_id, speaker_id) "
	  "VALUES (?1, ?3, ?2)",
	  "SELECT name FROM speakers WHERE id = ?1",
	  "SELECT s.name, (SELECT group_concat(alias, '; ') FROM (SELECT DISTINCT "
	  "alias FROM speaker_aliases a WHERE a.speaker_id = s.id ORDER BY alias)), "
	  "(SELECT count(*) FROM quotes q WHERE q.speaker_id = s.id) "
	  "FROM speakers s ORDER BY s.name",
	  { "UPDATE quotes SET speaker_id = ?1 WHERE speaker_id = ?2",
	    "UPDATE speaker_aliases SET speaker_id = ?1 WHERE speaker_id = ?2",
	    "DELETE FROM speakers WHERE id = ?2",
	    "INSERT OR IGNORE INTO speaker_aliases (alias, speaker_id) "
	    "VALUES (?3, ?1)" } },
	{ "outlet",
	  "SELECT outlet_id FROM outlet_aliases WHERE alias = ?1 AND "
	  "file_id = ?2 AND ?2 <> 0 UNION ALL "
	  "SELECT id FROM outlets WHERE name = ?1 UNION ALL "
	  "SELECT outlet_id FROM outlet_aliases WHERE alias = ?1 AND file_id = 0 "
	  "UNION ALL SELECT outlet_id FROM outlet_aliases WHERE alias = ?1 AND "
	  "?2 = 0 LIMIT 1",
	  "INSERT INTO outlets (name) VALUES (?1)",
	  "SELECT outlet_id FROM outlet_aliases WHERE alias = ?1 AND "
	  "file_id = ?2",
	  "INSERT OR IGNORE INTO outlet_aliases (alias, file_id, outlet_id) "
	  "VALUES (?1, ?3, ?2)",
	  "SELECT name FROM outlets WHERE id = ?1",
	  "SELECT o.name, (SELECT group_concat(alias, '; ') FROM (SELECT DISTINCT "
	  "alias FROM outlet_aliases a WHERE a.outlet_id = o.id ORDER BY alias)), "
	  "(SELECT count(*) FROM quotes q WHERE q.outlet_id = o.id) "
	  "FROM outlets o ORDER BY o.name",
	  { "UPDATE quotes SET outlet_id = ?1 WHERE outlet_id = ?2",
	    "UPDATE outlet_aliases SET outlet_id = ?1 WHERE outlet_id = ?2",
	    "DELETE FROM outlets WHERE id = ?2",
	    "INSERT OR IGNORE INTO outlet_aliases (alias, outlet_id) "
	    "VALUES (?3, ?1)" } },
};

static int near_note(qdb *db, qdb_entity_kind kind, const char *text,
		     size_t len);

static const int find_slot[2] = { QDB_ST_SPEAKER_FIND, QDB_ST_OUTLET_FIND };
static const int insert_slot[2] = { QDB_ST_SPEAKER_INSERT,
				    QDB_ST_OUTLET_INSERT };

/* Looks name up by name or alias with the kind's cached statement. */
static int step_id(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		   const char *name, size_t len)
{
	sqlite3_stmt *st;
	int rc = qdb__cached(&st, db, find_slot[kind], kinds[kind].find);
	if (rc)
		return rc;
	sqlite3_bind_text64(st, 1, name, len, SQLITE_STATIC, SQLITE_UTF8);
	sqlite3_bind_int64(st, 2, db->scope);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		rc = QDB_ENOTFOUND;
	} else {
		rc = qdb__fail_sql(db, "lookup");
	}
	qdb__done(db, st);
	return rc;
}

int qdb__entity_find(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		     const char *name, size_t len)
{
	int rc = step_id(out, db, kind, name, len);
	if (rc == QDB_ENOTFOUND)
		return qdb__fail(db, QDB_ENOTFOUND, "no %s called '%.*s'",
				 kinds[kind].label, (int)len, name);
	return rc;
}

int qdb__entity_ensure(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
		       const char *name, size_t len)
{
	/* Exact bytes only: "kirby" still goes to SQLite, which folds case. */
	qdb_name_slot *s = qdb__slot(db->names[kind], name, len);
	if (qdb__slot_get(s, name, len, out))
		return 0;
	int rc = step_id(out, db, kind, name, len);
	if (rc == 0)
		qdb__slot_set(s, name, len, *out);
	if (rc != QDB_ENOTFOUND)
		return rc;
	sqlite3_stmt *st;
	if ((rc = qdb__cached(&st, db, insert_slot[kind], kinds[kind].insert)))
		return rc;
	sqlite3_bind_text64(st, 1, name, len, SQLITE_STATIC, SQLITE_UTF8);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = qdb__fail_sql(db, kinds[kind].label);
	qdb__done(db, st);
	if (!rc) {
		*out = sqlite3_last_insert_rowid(db->sql);
		qdb__slot_set(s, name, len, *out);
		rc = near_note(db, kind, name, len);
	}
	return rc;
}

/* The last word of s (all of it when it has one): a surname. */
static const char *last_word(const char *s)
{
	const char *sp = strrchr(s, ' ');
	return sp ? sp + 1 : s;
}

/*
 * The guard's rule: candidate c is near the new name word (whose
 * surname is sur) when the whole names are within max edits, or the
 * surnames (4 bytes or more) are the same in any case or one edit apart.
 */
static int near_match(const char *word, const char *sur, size_t max,
		      const char *c)
{
	const char *csur = last_word(c);
	return qdb_suggest(word, &c, 1, max) != NULL ||
		(strlen(sur) >= 4 && strlen(csur) >= 4 &&
		 (!strcasecmp(sur, csur) || qdb_suggest(sur, &csur, 1, 1)));
}

/*
 * The guard's index, for a run that brings many new names: comparing
 * each with every known name costs new x names (50,000 new speakers:
 * over ten minutes).  temp.qdb_near holds keys (near_keys) that near
 * names share: the surname lower-cased and each form of it with one byte
 * left out, so that two surnames one edit apart share one; the name
 * without spaces or punctuation; and for short surnames the same forms
 * of the whole name.  The names that share a key are then held to the
 * rule (near_match).  What the keys miss are two edits in one long
 * surname (or in a whole name without a surname the rule looks at) that
 * leave no one-byte-shorter form in common: two letters changed.  The
 * table is temporary (this connection only, never in the file), built in
 * the write transaction that needs it after NEAR_SCAN lookups by a plain
 * scan, which holds every name to the rule; names added after that add
 * their keys as they come.
 */
#define NEAR_SCAN 16
#define NEAR_KEY 66

static int near_put(qdb *db, qdb_entity_kind kind, sqlite3_stmt *ins,
		    const char *text, const char *key, size_t len)
{
	sqlite3_bind_int(ins, 1, (int)kind);
	sqlite3_bind_blob(ins, 2, key, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, text, -1, SQLITE_STATIC);
	int s = sqlite3_step(ins);
	sqlite3_reset(ins);
	return s == SQLITE_DONE ? 0 : qdb__fail_sql(db, "guard index");
}

/* Calls put for each key of s with tag ('f' or 's'); 0 or its error. */
typedef int (*near_key_fn)(const char *key, size_t len, void *payload);

static int near_forms(char tag, const char *s, near_key_fn put, void *payload)
{
	size_t n = strlen(s);
	char key[NEAR_KEY + 1], low[NEAR_KEY];
	if (n > NEAR_KEY - 2)
		return 0;   /* the distance never compares such long names */
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	key[0] = tag;
	memcpy(key + 1, low, n);
	int rc = put(key, n + 1, payload);
	for (size_t i = 0; i < n && !rc; i++) {
		memcpy(key + 1, low, i);
		memcpy(key + 1 + i, low + i + 1, n - i - 1);
		rc = put(key, n, payload);
	}
	return rc;
}

/*
 * The keys of a name: the forms of its surname (when the rule looks at
 * it, 4 bytes or more); the name with only its ASCII letters and digits,
 * lower-cased ('n': "Al Jazeera" and "Al-Jazeera"); and, when the
 * surname is shorter than 5 bytes, so that a name one edit away may have
 * one the rule ignores, the forms of the whole name.
 */
static int near_keys(const char *name, near_key_fn put, void *payload)
{
	const char *sur = last_word(name);
	size_t sl = strlen(sur);
	char key[NEAR_KEY + 1];
	size_t n = 1;
	key[0] = 'n';
	for (const char *p = name; *p && n < NEAR_KEY; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			key[n++] = (char)(c + 32);
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (c & 0x80))
			key[n++] = c;
	}
	int rc = put(key, n, payload);
	if (!rc && sl >= 4)
		rc = near_forms('s', sur, put, payload);
	if (!rc && sl < 5)
		rc = near_forms('f', name, put, payload);
	return rc;
}

typedef struct near_add {
	qdb *db;
	qdb_entity_kind kind;
	sqlite3_stmt *ins;
	const char *text;
} near_add;

static int near_add_key(const char *key, size_t len, void *payload)
{
	near_add *a = payload;
	return near_put(a->db, a->kind, a->ins, a->text, key, len);
}

static const char near_insert_sql[] =
	"INSERT INTO temp.qdb_near (kind, key, text) VALUES (?1, ?2, ?3)";

/* A name or alias just added: into the index, when it is built. */
static int near_note(qdb *db, qdb_entity_kind kind, const char *text,
		     size_t len)
{
	if (!db->near_ready[kind])
		return 0;
	char *copy = strndup(text, len);
	if (!copy)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	sqlite3_stmt *ins;
	int rc = qdb__cached(&ins, db, QDB_ST_NEAR_INSERT, near_insert_sql);
	if (!rc) {
		near_add a = { db, kind, ins, copy };
		rc = near_keys(copy, near_add_key, &a);
		qdb__done(db, ins);
	}
	free(copy);
	return rc;
}

/* Builds the index of kind from every name and alias. */
static int near_build(qdb *db, qdb_entity_kind kind)
{
	static const char *const all[2] = {
		"SELECT name FROM speakers UNION SELECT alias FROM "
		"speaker_aliases",
		"SELECT name FROM outlets UNION SELECT alias FROM "
		"outlet_aliases",
	};
	int rc = qdb__exec(db, "PRAGMA temp.cache_size = -8192;"
			   "CREATE TEMP TABLE IF NOT EXISTS qdb_near ("
			   "kind INTEGER NOT NULL, key BLOB NOT NULL, "
			   "text TEXT NOT NULL);"
			   "CREATE INDEX IF NOT EXISTS temp.qdb_near_key ON "
			   "qdb_near (kind, key)");
	if (rc)
		return rc;
	sqlite3_stmt *del, *st, *ins;
	if ((rc = qdb__prepare(&del, db, "DELETE FROM temp.qdb_near WHERE "
			       "kind = ?1")))
		return rc;
	sqlite3_bind_int(del, 1, (int)kind);
	if (sqlite3_step(del) != SQLITE_DONE)
		rc = qdb__fail_sql(db, "guard index");
	sqlite3_finalize(del);
	if (rc || (rc = qdb__prepare(&st, db, all[kind])))
		return rc;
	if ((rc = qdb__cached(&ins, db, QDB_ST_NEAR_INSERT,
			      near_insert_sql))) {
		sqlite3_finalize(st);
		return rc;
	}
	int s;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		near_add a = { db, kind, ins,
			       (const char *)sqlite3_column_text(st, 0) };
		rc = a.text ? near_keys(a.text, near_add_key, &a) : 0;
	}
	if (!rc && s != SQLITE_DONE)
		rc = qdb__fail_sql(db, "guard index");
	qdb__done(db, ins);
	sqlite3_finalize(st);
	if (!rc)
		db->near_ready[kind] = 1;
	return rc;
}

/* One lookup of the index: each name that shares a key and is near. */
typedef struct near_find {
	qdb *db;
	qdb_entity_kind kind;
	sqlite3_stmt *find, *in_scope;
	const char *word, *sur;
	size_t max;
	char *near;
	size_t cap;
	int found;
} near_find;

static int near_find_key(const char *key, size_t len, void *payload)
{
	near_find *f = payload;
	sqlite3_stmt *st = f->find;
	sqlite3_reset(st);
	sqlite3_bind_int(st, 1, (int)f->kind);
	sqlite3_bind_blob(st, 2, key, (int)len, SQLITE_STATIC);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (!c || !near_match(f->word, f->sur, f->max, c))
			continue;
		/* A name, a global alias or one of this file's: what the
		 * scan looks at. */
		sqlite3_stmt *in = f->in_scope;
		sqlite3_reset(in);
		sqlite3_bind_text(in, 1, c, -1, SQLITE_STATIC);
		sqlite3_bind_int64(in, 2, f->db->scope);
		int r = sqlite3_step(in);
		if (r == SQLITE_ROW) {
			snprintf(f->near, f->cap, "%s", c);
			f->found = 1;
			sqlite3_reset(in);
			return 1;
		}
		sqlite3_reset(in);
		if (r != SQLITE_DONE)
			return qdb__fail_sql(f->db, "lookup");
	}
	return s == SQLITE_DONE ? 0 : qdb__fail_sql(f->db, "lookup");
}

static int near_indexed(char *near, size_t cap, qdb *db,
			qdb_entity_kind kind, const char *word, size_t max)
{
	static const char *const scope_sql[2] = {
		"SELECT 1 FROM speakers WHERE name = ?1 UNION ALL SELECT 1 "
		"FROM speaker_aliases WHERE alias = ?1 AND file_id IN (0, ?2)",
		"SELECT 1 FROM outlets WHERE name = ?1 UNION ALL SELECT 1 "
		"FROM outlet_aliases WHERE alias = ?1 AND file_id IN (0, ?2)",
	};
	near_find f = { db, kind, NULL, NULL, word, last_word(word), max,
			near, cap, 0 };
	int rc = qdb__cached(&f.find, db, QDB_ST_NEAR_FIND, "SELECT text FROM "
			     "temp.qdb_near WHERE kind = ?1 AND key = ?2");
	if (rc)
		return rc;
	if ((rc = qdb__cached(&f.in_scope, db, QDB_ST_NEAR_SCOPE + (int)kind,
			      scope_sql[kind]))) {
		qdb__done(db, f.find);
		return rc;
	}
	rc = near_keys(word, near_find_key, &f);
	qdb__done(db, f.find);
	qdb__done(db, f.in_scope);
	return rc < 0 ? rc : f.found;
}

int qdb__entity_near(char *near, size_t cap, qdb *db, qdb_entity_kind kind,
		     const char *name, size_t len)
{
	static const char *const all[2] = {
		"SELECT name FROM speakers UNION ALL SELECT alias FROM "
		"speaker_aliases WHERE file_id IN (0, ?1)",
		"SELECT name FROM outlets UNION ALL SELECT alias FROM "
		"outlet_aliases WHERE file_id IN (0, ?1)",
	};
	sqlite3_int64 id;
	/* A name the cache holds is known: most quotes name one, and the
	 * import asks before it stores every quote. */
	if (qdb__slot_get(qdb__slot(db->names[kind], name, len), name, len,
			  &id))
		return 0;
	int rc = step_id(&id, db, kind, name, len);
	if (rc != QDB_ENOTFOUND)
		return rc;
	char *word = strndup(name, len);
	if (!word)
		return qdb__fail(db, QDB_ENOMEM, "out of memory");
	/* A typo of a short name is as likely a different name. */
	size_t max = len >= 8 ? 2 : 1;
	const char *sur = last_word(word);
	/* Many new names in one run: the index, built once. */
	if (++db->near_calls[kind] > NEAR_SCAN && !sqlite3_get_autocommit(
	    db->sql)) {
		rc = db->near_ready[kind] ? 0 : near_build(db, kind);
		if (!rc)
			rc = near_indexed(near, cap, db, kind, word, max);
		free(word);
		return rc;
	}
	sqlite3_stmt *st;
	if ((rc = qdb__prepare(&st, db, all[kind]))) {
		free(word);
		return rc;
	}
	sqlite3_bind_int64(st, 1, db->scope);
	int found = 0, s;
	while (!found && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		found = near_match(word, sur, max, c);
		if (found)
			snprintf(near, cap, "%s", c);
	}
	if (!found && s != SQLITE_DONE)
		found = qdb__fail_sql(db, "lookup");
	sqlite3_finalize(st);
	free(word);
	return found;
}

/*
 * An alias two files give two entities, or that is another entity's
 * name, would resolve differently in one file: left out, so an export
 * that declares every alias in one file reads back the same.  A speaker
 * with a sort key comes too, aliases or not (a row with a NULL alias,
 * which sorts first).
 */
int qdb__entity_aliases(qdb *db, qdb_entity_kind kind, qdb__aliases_cb cb,
			void *payload)
{
	return qdb__entity_aliases_of(db, kind, -1, 0, cb, payload);
}

int qdb__entity_aliases_of(qdb *db, qdb_entity_kind kind,
			   sqlite3_int64 source, int unused,
			   qdb__aliases_cb cb, void *payload)
{
	static const char *const sql[2] = {
		"SELECT e.name, e.id, a.alias FROM speakers e JOIN (SELECT "
		"DISTINCT alias, speaker_id FROM speaker_aliases) a ON "
		"a.speaker_id = e.id WHERE NOT EXISTS (SELECT 1 FROM "
		"speaker_aliases b WHERE b.alias = a.alias AND b.speaker_id "
		"<> e.id) AND NOT EXISTS (SELECT 1 FROM speakers o WHERE "
		"o.name = a.alias AND o.id <> e.id) UNION ALL SELECT name, "
		"id, NULL FROM speakers WHERE sort_as IS NOT NULL",
		"SELECT e.name, e.id, a.alias FROM outlets e JOIN (SELECT "
		"DISTINCT alias, outlet_id FROM outlet_aliases) a ON "
		"a.outlet_id = e.id WHERE NOT EXISTS (SELECT 1 FROM "
		"outlet_aliases b WHERE b.alias = a.alias AND b.outlet_id "
		"<> e.id) AND NOT EXISTS (SELECT 1 FROM outlets o WHERE "
		"o.name = a.alias AND o.id <> e.id)",
	};
	/* the entities of one source's quotes (?1; NULL: no source), and
	 * with ?2 those of no quote */
	static const char *const of[2] = {
		" WHERE e.id IN (SELECT speaker_id FROM quotes WHERE source_id "
		"IS ?1) OR (?2 AND NOT EXISTS (SELECT 1 FROM quotes WHERE "
		"speaker_id = e.id))",
		" WHERE e.id IN (SELECT outlet_id FROM quotes WHERE source_id "
		"IS ?1) OR (?2 AND NOT EXISTS (SELECT 1 FROM quotes WHERE "
		"outlet_id = e.id))",
	};
	/* rows of name, id, alias (NULL: a speaker's row for its sort key
	 * alone), an entity's rows together */
	char text[1536];
	snprintf(text, sizeof text, "SELECT name, id, alias FROM (%s) e%s "
		 "ORDER BY 1, 2, 3", sql[kind], source >= 0 ? of[kind] : "");
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, text);
	if (rc)
		return rc;
	if (source > 0)
		sqlite3_bind_int64(st, 1, source);
	if (source >= 0)
		sqlite3_bind_int(st, 2, unused != 0);
	char *name = NULL;
	char **al = NULL;
	size_t n = 0, cap = 0;
	int s;
	for (;;) {
		s = sqlite3_step(st);
		const char *row = s == SQLITE_ROW
			? (const char *)sqlite3_column_text(st, 0) : NULL;
		/* The previous entity is complete at a new name or the end. */
		if (name && (!row || strcmp(row, name))) {
			rc = cb(name, (const char *const *)al, n, payload);
			for (size_t i = 0; i < n; i++)
				free(al[i]);
			n = 0;
			free(name);
			name = NULL;
			if (rc)
				break;
		}
		if (!row)
			break;
		if (!name && !(name = strdup(row)))
			goto oom;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			char **a = realloc(al, c * sizeof *a);
			if (!a)
				goto oom;
			al = a;
			cap = c;
		}
		const char *alias = (const char *)sqlite3_column_text(st, 2);
		if (!alias)
			continue;   /* a speaker with a sort key */
		if (!(al[n] = strdup(alias)))
			goto oom;
		n++;
	}
	if (!rc && s != SQLITE_DONE)
		rc = qdb__fail_sql(db, kinds[kind].label);
	goto out;
oom:
	rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
out:
	for (size_t i = 0; i < n; i++)
		free(al[i]);
	free(al);
	free(name);
	sqlite3_finalize(st);
	return rc;
}

/* The entity an alias of db->scope names: 0 and *out, or QDB_ENOTFOUND. */
static int scoped_alias(sqlite3_int64 *out, qdb *db, qdb_entity_kind kind,
			const char *alias, size_t len)
{
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, kinds[kind].alias_of);
	if (rc)
		return rc;
	sqlite3_bind_text64(st, 1, alias, len, SQLITE_STATIC, SQLITE_UTF8);
	sqlite3_bind_int64(st, 2, db->scope);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	rc = s == SQLITE_ROW ? 0 : s == SQLITE_DONE ? QDB_ENOTFOUND
		: qdb__fail_sql(db, "lookup");
	sqlite3_finalize(st);
	return rc;
}

/*
 * A file's alias (db->scope set) clashes only with the same alias for
 * another entity in that file: it may shadow a name or an alias that
 * holds elsewhere, which is what lets two articles use "the palace" for
 * two palaces.  A global alias clashes with any name or global alias.
 */
int qdb__entity_add_alias(qdb *db, qdb_entity_kind kind, sqlite3_int64 id,
			  const char *alias, size_t len)
{
	sqlite3_int64 other;
	int rc = db->scope ? scoped_alias(&other, db, kind, alias, len)
		: step_id(&other, db, kind, alias, len);
	if (rc == 0) {
		if (other == id)
			return 0;
		/* Name the other one: the user has to decide which is right. */
		sqlite3_stmt *st;
		if ((rc = qdb__prepare(&st, db, kinds[kind].name_of)))
			return rc;
		sqlite3_bind_int64(st, 1, other);
		const char *name = sqlite3_step(st) == SQLITE_ROW
			? (const char *)sqlite3_column_text(st, 0) : NULL;
		if (!name)
			rc = qdb__fail_sql(db, kinds[kind].label);
		else if (db->scope)
			rc = qdb__fail(db, QDB_EEXISTS, "'%.*s' is already an "
				       "alias of the %s '%s' in this file",
				       (int)len, alias, kinds[kind].label,
				       name);
		else
			rc = qdb__fail(db, QDB_EEXISTS, "'%.*s' already names "
				       "the %s '%s'; merge the two instead",
				       (int)len, alias, kinds[kind].label, name);
		sqlite3_finalize(st);
		return rc;
	}
	if (rc != QDB_ENOTFOUND)
		return rc;
	sqlite3_stmt *st;
	if ((rc = qdb__prepare(&st, db, kinds[kind].add_alias)))
		return rc;
	sqlite3_bind_text64(st, 1, alias, len, SQLITE_STATIC, SQLITE_UTF8);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, db->scope);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = qdb__fail_sql(db, "alias");
	sqlite3_finalize(st);
	/* The cache may hold what the alias now shadows in this file. */
	qdb__slots_clear(db->names[kind]);
	if (!rc)
		rc = near_note(db, kind, alias, len);
	return rc;
}

int qdb_entity_foreach(qdb *db, qdb_entity_kind kind, qdb_entity_cb cb,
		       void *payload)
{
	if (!db || !cb || (kind != QDB_SPEAKER && kind != QDB_OUTLET))
		return QDB_EINVALID;
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, kinds[kind].list);
	if (rc)
		return rc;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		qdb_entity e = {
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			sqlite3_column_int64(st, 2) };
		if ((rc = cb(&e, payload)) != 0)
			break;
	}
	if (!rc && s != SQLITE_DONE)
		rc = qdb__fail_sql(db, kinds[kind].label);
	sqlite3_finalize(st);
	if (!rc)
		qdb__ok(db);
	return rc;
}

int qdb_entity_alias(qdb *db, qdb_entity_kind kind, const char *name,
		     const char *alias)
{
	if (!db || !name || !alias || (kind != QDB_SPEAKER && kind != QDB_OUTLET))
		return QDB_EINVALID;
	qdb_error err = { 0 };
	qdb_str a = { alias, strlen(alias) };
	if (qdb__str_validate(a, "alias", 0, &err) || !*alias) {
		if (!*alias)
			qdb__error_set(&err, QDB_EINVALID, "alias is empty");
		qdb__error_to_db(db, &err);
		return QDB_EINVALID;
	}
	int rc = qdb__begin(db);
	if (rc)
		return rc;
	sqlite3_int64 id;
	if ((rc = qdb__entity_find(&id, db, kind, name, strlen(name))) ||
	    (rc = qdb__entity_add_alias(db, kind, id, alias, strlen(alias)))) {
		qdb__rollback(db);
		return rc;
	}
	if ((rc = qdb__commit(db)))
		return rc;
	qdb__ok(db);
	return 0;
}

int qdb_entity_merge(qdb *db, qdb_entity_kind kind, const char *into,
		     const char *from)
{
	if (!db || !into || !from || (kind != QDB_SPEAKER && kind != QDB_OUTLET))
		return QDB_EINVALID;
	int rc = qdb__begin(db);
	if (rc)
		return rc;
	sqlite3_int64 a, b;
	if ((rc = qdb__entity_find(&a, db, kind, into, strlen(into))) ||
	    (rc = qdb__entity_find(&b, db, kind, from, strlen(from))))
		goto fail;
	if (a == b) {
		rc = qdb__fail(db, QDB_EINVALID, "'%s' and '%s' are already one "
			       "%s", into, from, kinds[kind].label);
		goto fail;
	}
	/* The merged name lives on as an alias, so old spellings in files
	 * imported later still land on the merged entity. */
	sqlite3_stmt *st;
	if ((rc = qdb__prepare(&st, db, kinds[kind].name_of)))
		goto fail;
	sqlite3_bind_int64(st, 1, b);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		rc = qdb__fail_sql(db, "merge");
		goto fail;
	}
	char *old = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!old) {
		rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
		goto fail;
	}
	for (int i = 0; i < 4 && !rc; i++) {
		if ((rc = qdb__prepare(&st, db, kinds[kind].merge[i])))
			break;
		sqlite3_bind_int64(st, 1, a);
		if (sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, b);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_text(st, 3, old, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = qdb__fail_sql(db, "merge");
		sqlite3_finalize(st);
	}
	sqlite3_free(old);
	if (rc)
		goto fail;
	if ((rc = qdb__commit(db)))
		return rc;
	qdb__ok(db);
	return 0;
fail:
	qdb__rollback(db);
	return rc;
}

int qdb__speaker_set_sort_as(qdb *db, sqlite3_int64 id, const char *key,
			     size_t len)
{
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db,
			      "UPDATE speakers SET sort_as = ?1 WHERE id = ?2");
	if (rc)
		return rc;
	if (key)
		sqlite3_bind_text64(st, 1, key, len, SQLITE_STATIC,
				    SQLITE_UTF8);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = qdb__fail_sql(db, "speaker");
	sqlite3_finalize(st);
	return rc;
}

int qdb__speaker_sort_as(char **out, qdb *db, const char *name)
{
	*out = NULL;
	sqlite3_stmt *st;
	int rc = qdb__cached(&st, db, QDB_ST_SPEAKER_SORT,
			     "SELECT sort_as FROM speakers WHERE name = ?1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	const char *key = s == SQLITE_ROW
		? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = qdb__fail_sql(db, "speaker");
	else if (key && !(*out = strdup(key)))
		rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
	qdb__done(db, st);
	return rc;
}

int qdb_speaker_sort_as(char **out, qdb *db, const char *name)
{
	if (!out || !db || !name)
		return QDB_EINVALID;
	*out = NULL;
	sqlite3_int64 id;
	int rc = qdb__entity_find(&id, db, QDB_SPEAKER, name, strlen(name));
	sqlite3_stmt *st;
	if (rc || (rc = qdb__prepare(&st, db, "SELECT sort_as FROM speakers "
				     "WHERE id = ?1")))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	const char *key = sqlite3_step(st) == SQLITE_ROW
		? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (key && !(*out = strdup(key)))
		rc = qdb__fail(db, QDB_ENOMEM, "out of memory");
	sqlite3_finalize(st);
	if (!rc)
		qdb__ok(db);
	return rc;
}

int qdb_speaker_set_sort_as(qdb *db, const char *name, const char *key)
{
	if (!db || !name)
		return QDB_EINVALID;
	if (key) {
		qdb_error err = { 0 };
		qdb_str k = { key, strlen(key) };
		if (!*key)
			qdb__error_set(&err, QDB_EINVALID, "sort_as is empty");
		if (!*key || qdb__str_validate(k, "sort_as", 0, &err)) {
			qdb__error_to_db(db, &err);
			return QDB_EINVALID;
		}
	}
	int rc = qdb__begin(db);
	if (rc)
		return rc;
	sqlite3_int64 id;
	if ((rc = qdb__entity_find(&id, db, QDB_SPEAKER, name,
				   strlen(name))) ||
	    (rc = qdb__speaker_set_sort_as(db, id, key,
					   key ? strlen(key) : 0))) {
		qdb__rollback(db);
		return rc;
	}
	if ((rc = qdb__commit(db)))
		return rc;
	qdb__ok(db);
	return 0;
}
