#!/usr/bin/env python3
"""xlsx_matches_json.py XLSX JSON

Reads the first sheet of XLSX (what LibreOffice made of the spreadsheet
export) with zipfile and the sheet's XML, the shared strings resolved, and
checks that it holds exactly the quotes of JSON (`quotedb list --json`):
a header row of the CSV's column names, then the same ids in the same
order, every field a text cell equal to the stored text, character for
character (an absent field an empty cell).  Prints each difference and
exits 1 if there is any.
"""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def text_of(node):
    return "".join(t.text or "" for t in node.iter(M + "t"))


def column(ref):
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_sheet(path):
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        shared = [text_of(si) for si in root.findall(M + "si")]
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for r in sheet.iter(M + "row"):
        row = {}
        for c in r.findall(M + "c"):
            kind, v = c.get("t"), c.find(M + "v")
            if kind == "s":
                value = shared[int(v.text)]
            elif kind == "inlineStr":
                value = text_of(c)
            elif v is None:
                value = ""
            else:
                # A number, a date or a formula: not a text any more.
                value = ("not text", kind, v.text)
            row[column(c.get("r"))] = value
        rows.append([row.get(i, "") for i in range(max(row) + 1)]
                    if row else [])
    return rows


def main():
    rows = read_sheet(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        quotes = json.load(f)
    header, rows = rows[0], rows[1:]
    bad = 0
    if len(rows) != len(quotes):
        print("rows: %d, quotes: %d" % (len(rows), len(quotes)))
        bad += 1
    names = [k for k in quotes[0] if k != "id"] + ["id"]
    if header != names:
        print("header %r != %r" % (header, names))
        bad += 1
    for row, q in zip(rows, quotes):
        row = row + [""] * (len(names) - len(row))
        rec = dict(zip(names, row))
        for k in names:
            want = q[k]
            if k == "tags":
                want = "; ".join(want)
            elif want is None:
                want = ""
            if rec[k] != want:
                print("%s.%s: %r != %r" % (q["id"], k, rec[k], want))
                bad += 1
    print("%d quotes, %d cells compared" % (len(quotes),
                                           len(quotes) * len(names)))
    return 1 if bad else 0


sys.exit(main())
