#!/usr/bin/env python3
"""texts_from_json.py JSON OUT: writes the texts of `quotedb list --json`
to OUT separated by NUL bytes (the input of tests/tex/pdf_has_texts.py)."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    quotes = json.load(f)
with open(sys.argv[2], "wb") as f:
    f.write(b"\0".join(q["text"].encode("utf-8") for q in quotes))
