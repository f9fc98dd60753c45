"""The Python route to the YAML export: the cursor's SELECT through
sqlite3, then PyYAML's C dumper over the same document shape as the yaml
plugin (one mapping with quotes:, fields in format order, double-quoted).
Usage: py_dump.py DB OUT"""
import sqlite3
import sys

import yaml

SQL = ("SELECT q.id, q.text, s.name, q.role, q.date, q.date_text, o.name,"
       " q.programme, q.occasion, q.reported_by, q.locator, q.language,"
       " q.translated, q.context, q.tags, src.title, src.author, src.date,"
       " src.url, src.file"
       " FROM quotes q JOIN speakers s ON s.id = q.speaker_id"
       " LEFT JOIN outlets o ON o.id = q.outlet_id"
       " LEFT JOIN sources src ON src.id = q.source_id ORDER BY q.qid")
KEYS = ("id", "text", "speaker", "role", "date", "date_text", "outlet",
        "programme", "occasion", "reported_by", "locator", "language",
        "translated", "context")
SKEYS = ("title", "author", "date", "url", "file")


def main():
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    quotes = []
    for row in db.execute(SQL):
        q = {k: v for k, v in zip(KEYS, row) if v is not None}
        if row[14] is not None:
            q["tags"] = row[14].split("\x1f")
        src = {k: v for k, v in zip(SKEYS, row[15:]) if v is not None}
        if src:
            q["source"] = src
        quotes.append(q)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        yaml.dump({"quotes": quotes}, f, Dumper=yaml.CDumper,
                  default_style='"', allow_unicode=True, sort_keys=False,
                  width=-1)
    print("py_dump: %d quotes" % len(quotes), file=sys.stderr)


if __name__ == "__main__":
    main()
