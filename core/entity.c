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
	}
	return rc;
}

/* The last word of s (all of it when it has one): a surname. */
static const char *last_word(const char *s)
{
	const char *sp = strrchr(s, ' ');
	return sp ? sp + 1 : s;
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
	sqlite3_stmt *st;
	if ((rc = qdb__prepare(&st, db, all[kind]))) {
		free(word);
		return rc;
	}
	sqlite3_bind_int64(st, 1, db->scope);
	/* A typo of a short name is as likely a different name. */
	size_t max = len >= 8 ? 2 : 1;
	const char *sur = last_word(word);
	int found = 0, s;
	while (!found && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *csur = last_word(c);
		found = qdb_suggest(word, &c, 1, max) != NULL ||
			(strlen(sur) >= 4 && strlen(csur) >= 4 &&
			 (!strcasecmp(sur, csur) ||
			  qdb_suggest(sur, &csur, 1, 1) != NULL));
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
 * that declares every alias in one file reads back the same.
 */
int qdb__entity_aliases(qdb *db, qdb_entity_kind kind, qdb__aliases_cb cb,
			void *payload)
{
	static const char *const sql[2] = {
		"SELECT e.name, a.alias FROM speakers e JOIN (SELECT DISTINCT "
		"alias, speaker_id FROM speaker_aliases) a ON a.speaker_id = "
		"e.id WHERE NOT EXISTS (SELECT 1 FROM speaker_aliases b WHERE "
		"b.alias = a.alias AND b.speaker_id <> e.id) AND NOT EXISTS "
		"(SELECT 1 FROM speakers o WHERE o.name = a.alias AND o.id <> "
		"e.id) ORDER BY e.name, e.id, a.alias",
		"SELECT e.name, a.alias FROM outlets e JOIN (SELECT DISTINCT "
		"alias, outlet_id FROM outlet_aliases) a ON a.outlet_id = "
		"e.id WHERE NOT EXISTS (SELECT 1 FROM outlet_aliases b WHERE "
		"b.alias = a.alias AND b.outlet_id <> e.id) AND NOT EXISTS "
		"(SELECT 1 FROM outlets o WHERE o.name = a.alias AND o.id <> "
		"e.id) ORDER BY e.name, e.id, a.alias",
	};
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, sql[kind]);
	if (rc)
		return rc;
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
		if (!(al[n] = strdup((const char *)sqlite3_column_text(st, 1))))
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
