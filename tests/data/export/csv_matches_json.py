#!/usr/bin/env python3
"""csv_matches_json.py CSV JSON [utf-8|utf-8-sig]

Reads CSV with Python's csv module (what a spreadsheet-minded script would
use) and checks that it holds exactly the quotes of JSON (`quotedb list
--json`): the same ids in the same order and every field byte-identical.
Prints each difference and exits 1 if there is any.
"""
import csv
import json
import sys

FIELDS = ["text", "speaker", "role", "date", "date_text", "outlet",
          "programme", "occasion", "reported_by", "source", "locator",
          "language", "translated", "context"]

def main():
    path, jpath = sys.argv[1], sys.argv[2]
    enc = sys.argv[3] if len(sys.argv) > 3 else "utf-8"
    with open(jpath, encoding="utf-8") as f:
        quotes = json.load(f)
    with open(path, encoding=enc, newline="") as f:
        rows = list(csv.reader(f, dialect="excel", strict=True))
    header, rows = rows[0], rows[1:]
    bad = 0
    if len(rows) != len(quotes):
        print("rows: %d, quotes: %d" % (len(rows), len(quotes)))
        bad += 1
    for row, q in zip(rows, quotes):
        rec = dict(zip(header, row))
        if rec.get("id") != q["id"]:
            print("id %r != %r" % (rec.get("id"), q["id"]))
            bad += 1
            continue
        for k in FIELDS:
            want = q[k] if q[k] is not None else ""
            if rec.get(k) != want:
                print("%s.%s: %r != %r" % (q["id"], k, rec.get(k), want))
                bad += 1
        if rec.get("tags") != "; ".join(q["tags"]):
            print("%s.tags: %r" % (q["id"], rec.get("tags")))
            bad += 1
    return 1 if bad else 0

sys.exit(main())
