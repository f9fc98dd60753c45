#!/usr/bin/env python3
"""json_matches_yaml.py JSONL YAML

Checks the JSON Lines export JSONL against the YAML export YAML of the same
quotes (read with PyYAML; the yaml plugin's own tests show it holds the
stored bytes): every line parses with Python's json module and again with
jq (jq -c re-encodes what it read, and Python reads that), the quotes come
in the same order (the JSON is exported --sort source, the YAML's own
order, one document per source), and every field, source field and tag is the same
string, or null where the YAML leaves the field out.  The file's bytes
hold no raw control character but the LF ending each line, and no raw
U+2028 or U+2029.  Prints each difference; exits 1 if there is any.
"""
import json
import subprocess
import sys

import yaml

SOURCE = ["title", "author", "date", "url", "file"]


def expected(q, keys):
    """The object the JSON line must decode to, from a YAML quote."""
    want = {}
    for k in keys:
        if k == "source":
            s = q.get("source")
            want[k] = None if s is None else {f: s.get(f) for f in SOURCE}
        elif k == "tags":
            want[k] = q.get("tags", [])
        else:
            want[k] = q.get(k)
    return want


def compare(label, got, quotes):
    bad = 0
    if len(got) != len(quotes):
        print("%s: %d objects, %d quotes" % (label, len(got), len(quotes)))
        return 1
    for i, (g, q) in enumerate(zip(got, quotes)):
        want = expected(q, list(g.keys()))
        if set(g.keys()) < set(q.keys()):
            print("%s: line %d lacks %s" % (label, i + 1,
                  sorted(set(q.keys()) - set(g.keys()))))
            bad += 1
        for k in g:
            if g[k] != want[k]:
                print("%s: line %d: %s: %r != %r" % (label, i + 1, k,
                      g[k], want[k]))
                bad += 1
    return bad


def main():
    jpath, ypath = sys.argv[1], sys.argv[2]
    raw = open(jpath, "rb").read()
    bad = 0
    for i, b in enumerate(raw):
        if b < 0x20 and b != 0x0A:
            print("raw control byte 0x%02x at %d" % (b, i))
            bad += 1
    for seq in (b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xc2\x85"):
        if seq in raw:
            print("raw %r in the file" % seq)
            bad += 1
    if raw and not raw.endswith(b"\n"):
        print("the last line has no LF")
        bad += 1
    # One YAML document per source: each quote takes its document's.
    quotes = []
    for doc in yaml.load_all(open(ypath, "rb"), Loader=yaml.SafeLoader):
        for q in doc["quotes"]:
            if "source" in doc:
                q = dict(q, source=doc["source"])
            quotes.append(q)
    lines = raw.decode("utf-8").split("\n")[:-1] if raw else []
    bad += compare("python", [json.loads(l) for l in lines], quotes)
    jq = subprocess.run(["jq", "-c", "."], stdin=open(jpath, "rb"),
                        capture_output=True)
    if jq.returncode != 0:
        print("jq refuses the file: %s" % jq.stderr.decode())
        bad += 1
    else:
        out = jq.stdout.decode("utf-8").split("\n")[:-1]
        bad += compare("jq", [json.loads(l) for l in out], quotes)
    return 1 if bad else 0


sys.exit(main())
