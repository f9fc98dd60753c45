/*
 * source.c: the source documents as records of their own (`quotedb
 * sources`): each with its fields, the YAML files its quotes come from
 * and how many quotes it has.
 */
#include "internal.h"

int qdb_source_foreach(qdb *db, qdb_source_cb cb, void *payload)
{
	if (!db || !cb)
		return QDB_EINVALID;
	sqlite3_stmt *st;
	int rc = qdb__prepare(&st, db, "SELECT s.title, s.author, s.date, "
			      "s.url, s.file, (SELECT group_concat(path) FROM "
			      "(SELECT DISTINCT f.path FROM quotes q JOIN files "
			      "f ON f.id = q.file_id WHERE q.source_id = s.id "
			      "ORDER BY f.path)), (SELECT count(*) FROM quotes "
			      "q WHERE q.source_id = s.id) FROM sources s "
			      "ORDER BY s.title, s.id");
	if (rc)
		return rc;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		qdb_source src = {
			sizeof src,
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5),
			sqlite3_column_int64(st, 6),
		};
		if ((rc = cb(&src, payload)) != 0)
			break;
	}
	if (!rc && s != SQLITE_DONE)
		rc = qdb__fail_sql(db, "sources");
	sqlite3_finalize(st);
	if (!rc)
		qdb__ok(db);
	return rc;
}
