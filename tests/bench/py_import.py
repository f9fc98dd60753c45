"""The Python route to the same rows as floor_import.c: PyYAML's C loader
reads the whole file, sqlite3.executemany inserts one row per quote into
the same flat table in one transaction.  Usage: py_import.py DB FILE"""
import sqlite3
import sys

import yaml

KEYS = ("id", "text", "speaker", "role", "date", "date_text", "outlet",
        "programme", "occasion", "reported_by", "locator", "language",
        "translated", "context")
SKEYS = ("title", "author", "date", "url", "file")


def main():
    dbpath, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = yaml.load(f, Loader=yaml.CLoader)
    fsrc = data.get("source") or {}
    rows = []
    for q in data["quotes"]:
        src = q.get("source") or fsrc
        tags = q.get("tags")
        rows.append(tuple(q.get(k) for k in KEYS)
                    + ("\x1f".join(tags) if tags else None,)
                    + tuple(src.get(k) for k in SKEYS))
    db = sqlite3.connect(dbpath, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE quotes (qid INTEGER PRIMARY KEY, id TEXT,"
               " text TEXT, speaker TEXT, role TEXT, date TEXT,"
               " date_text TEXT, outlet TEXT, programme TEXT,"
               " occasion TEXT, reported_by TEXT, locator TEXT,"
               " language TEXT, translated TEXT, context TEXT, tags TEXT,"
               " source_title TEXT, source_author TEXT, source_date TEXT,"
               " source_url TEXT, source_file TEXT)")
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO quotes (id, text, speaker, role, date,"
                   " date_text, outlet, programme, occasion, reported_by,"
                   " locator, language, translated, context, tags,"
                   " source_title, source_author, source_date, source_url,"
                   " source_file) VALUES (" + ",".join("?" * 20) + ")",
                   rows)
    db.execute("COMMIT")
    db.close()
    print("py_import: %d quotes" % len(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
