#!/usr/bin/env python3
"""Checks a CSL-JSON export of quotedb's csl-json plugin, as a reference
manager or pandoc would read it.

usage: check.py EXPORT.json SCHEMA.json TEXTS.bin [--pandoc STYLE.csl]

- the file is JSON (no duplicate keys) and valid against SCHEMA (the
  schema of what the plugin writes, tests/data/csl/csl-data-subset.json);
- ids are unique;
- every text in TEXTS.bin (NUL-terminated records, UTF-8) is the text of a
  quote in some item's custom.quotes, byte for byte, as often as given;
- with --pandoc: pandoc --citeproc reads the file as the bibliography of a
  document that cites every item, and prints one entry per item and every
  title exactly, except titles holding CSL's rich-text markup (< > ' "),
  which citeproc interprets by design.
Prints what is wrong and exits 1, or exits 0 silently.
"""
import json
import subprocess
import sys
import tempfile
import os

import jsonschema


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in %r" % keys)
    return dict(pairs)


def main():
    path, schema_path, texts_path = sys.argv[1:4]
    style = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--pandoc" \
        else None
    bad = []
    with open(path, "rb") as f:
        data = json.loads(f.read().decode("utf-8"),
                          object_pairs_hook=no_duplicates)
    with open(schema_path, "rb") as f:
        schema = json.load(f)
    v = jsonschema.Draft7Validator(schema)
    for e in sorted(v.iter_errors(data), key=str)[:20]:
        bad.append("schema: %s at %s" % (e.message, list(e.absolute_path)))
    ids = [item["id"] for item in data]
    if len(ids) != len(set(ids)):
        bad.append("duplicate ids")
    have = {}
    for item in data:
        for q in item.get("custom", {}).get("quotes", []):
            have[q["text"]] = have.get(q["text"], 0) + 1
    with open(texts_path, "rb") as f:
        want = [t.decode("utf-8", "surrogatepass")
                for t in f.read().split(b"\0")[:-1]]
    for t in want:
        if have.get(t, 0) == 0:
            bad.append("text missing: %r" % t[:80])
        else:
            have[t] -= 1
    if style:
        bad += pandoc(path, data, style)
    for b in bad:
        print(b)
    return 1 if bad else 0


def pandoc(path, data, style):
    bad = []
    with tempfile.TemporaryDirectory() as d:
        doc = os.path.join(d, "cites.md")
        with open(doc, "w", encoding="utf-8") as f:
            f.write("Every source: %s.\n" % "; ".join(
                "[@%s]" % item["id"] for item in data))
        r = subprocess.run(["pandoc", "--citeproc", "--csl", style,
                            "--bibliography", path, "-t", "plain",
                            "--wrap=none", doc], capture_output=True)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode != 0 or err.strip():
        bad.append("pandoc (%d): %s" % (r.returncode, err[:500]))
    out = r.stdout.decode("utf-8")
    entries = [l for l in out.split("\n") if l.startswith("ENTRY: ")]
    if len(entries) != len(data):
        bad.append("pandoc printed %d entries for %d items"
                   % (len(entries), len(data)))
    for item in data:
        t = item.get("title", "")
        if any(c in t for c in "<>'\""):
            continue
        if "ENTRY: " + t.replace("\n", " ") not in out:
            bad.append("pandoc output lacks title %r" % t[:80])
    return bad


if __name__ == "__main__":
    sys.exit(main())
